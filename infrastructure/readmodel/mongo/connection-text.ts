import { redactUrl } from '../../config/load-config.js';

/**
 * What may be said about a MongoDB connection string: errors from the driver can echo parts of it,
 * so every message about a connection goes through here with the password taken out.
 */
export function connectionFailureMessage(url: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `MongoDB at ${redactUrl(url)} is not reachable: ${withoutPassword(url, reason)}`;
}

export function invalidConnectionStringMessage(url: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `MongoDB connection string ${redactUrl(url)} is not valid: ${withoutPassword(url, reason)}`;
}

export function withoutPassword(url: string, text: string): string {
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/i.exec(url)?.[1];
  if (!password) return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // Not percent-encoded text: the raw form is all there is to hide.
  }
  return [password, decoded].reduce((out, secret) => out.split(secret).join('***'), text);
}

/** The database named in the connection string's path (`mongodb://host/mdm`), if any. */
export function databaseNameOf(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/i.exec(url)?.[1];
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
