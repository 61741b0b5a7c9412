import { validateCommandRequest } from '../commands/index.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * A library profile as a group assigns it: enough to queue InstallProfile (the stored payload's
 * reference) and RemoveProfile (its PayloadIdentifier) without reading the library again.
 */
export interface AssignedProfile {
  readonly sha256: string;
  readonly blobId: string;
  readonly size: number;
  readonly payloadIdentifier: string;
  readonly displayName?: string;
}

/**
 * An app as a group assigns it: one InstallApplication source (an App Store id or an https manifest
 * for in-house apps) and the bundle identifier that RemoveApplication names.
 */
export interface AssignedApp {
  readonly bundleIdentifier: string;
  readonly iTunesStoreID?: number;
  readonly manifestUrl?: string;
  /** 1: remove the app with the MDM profile; 4: no backup of its data; 5: both. */
  readonly managementFlags?: 1 | 4 | 5;
}

/** The InstallApplication request for an assigned app (the parameters Apple's schema names). */
export function installApplicationRequest(app: AssignedApp): Record<string, unknown> {
  return {
    requestType: 'InstallApplication',
    ...(app.iTunesStoreID !== undefined ? { iTunesStoreID: app.iTunesStoreID } : {}),
    ...(app.manifestUrl !== undefined ? { ManifestURL: app.manifestUrl } : {}),
    ...(app.managementFlags !== undefined ? { ManagementFlags: app.managementFlags } : {}),
  };
}

/** Two assignments of one bundle identifier install the same way. */
export const sameApp = (a: AssignedApp, b: AssignedApp): boolean =>
  a.bundleIdentifier === b.bundleIdentifier && a.iTunesStoreID === b.iTunesStoreID && a.manifestUrl === b.manifestUrl && a.managementFlags === b.managementFlags;

/**
 * Refuses an app that could not be queued: the same rules as an admin's InstallApplication and
 * RemoveApplication (exactly one source, https manifests without credentials, a bundle identifier).
 */
export function validateAssignedApp(app: AssignedApp): AssignedApp {
  try {
    if ((app.iTunesStoreID === undefined) === (app.manifestUrl === undefined)) throw new DomainError('invalid-command', 'needs exactly one of an App Store id and a manifest URL');
    validateCommandRequest(installApplicationRequest(app));
    validateCommandRequest({ requestType: 'RemoveApplication', Identifier: app.bundleIdentifier });
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError('invalid-app', error.message.replace(/^(InstallApplication|RemoveApplication)(\.|: )/, 'app '));
    throw error;
  }
  return {
    bundleIdentifier: app.bundleIdentifier,
    ...(app.iTunesStoreID !== undefined ? { iTunesStoreID: app.iTunesStoreID } : {}),
    ...(app.manifestUrl !== undefined ? { manifestUrl: app.manifestUrl } : {}),
    ...(app.managementFlags !== undefined ? { managementFlags: app.managementFlags } : {}),
  };
}
