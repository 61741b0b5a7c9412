/**
 * User names of the built-in directory. Names are compared case-insensitively, so they are kept in
 * one canonical form: NFKC, lower case. The alphabet is small enough to be a stream id and a log
 * field as it is, and wide enough for e-mail addresses.
 */
const USER_NAME = /^[a-z0-9][a-z0-9._@+-]{0,127}$/;

/** The canonical form of a name someone typed; undefined when it cannot be a user name. */
export function canonicalUserName(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > 512) return undefined;
  const name = raw.normalize('NFKC').trim().toLowerCase();
  return USER_NAME.test(name) ? name : undefined;
}

export const isCanonicalUserName = (name: string): boolean => USER_NAME.test(name);

/** A device group's name (as enrollment tokens take it). */
export const isGroupName = (group: string): boolean => /^[\p{L}\p{N} ._@+-]{1,128}$/u.test(group);

/** What people see: any printable text, bounded. */
export const isDisplayName = (name: string): boolean => name.length >= 1 && name.length <= 128 && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name) && name.trim() === name;
