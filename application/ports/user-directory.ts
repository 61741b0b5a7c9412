/**
 * Who may enroll a device by signing in on the enrollment page. The built-in directory keeps users
 * in the event store; a directory server (LDAP) can answer behind the same port later.
 */
export interface DirectoryUser {
  /** The canonical user name: what enrollments record as their user. */
  readonly username: string;
  readonly displayName?: string;
  /** The device group the user's devices join. */
  readonly group?: string;
}

/** No reason on failure: unknown user, wrong password and disabled user look the same to the caller. */
export type Authentication = { readonly ok: true; readonly user: DirectoryUser } | { readonly ok: false };

export interface UserDirectory {
  /** Never throws for bad input; an unknown user costs about as much time as a wrong password. */
  authenticate(username: string, password: string): Promise<Authentication>;
}

export const USER_DIRECTORY = Symbol.for('mdm.UserDirectory');
