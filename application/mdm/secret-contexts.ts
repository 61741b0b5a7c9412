/**
 * SecretBox contexts. A sealed value opens only under the context it was sealed with, so a secret
 * cannot be moved to another device or another parameter.
 */

/** A device's unlock token (TokenUpdate), used by ClearPasscode. */
export const unlockTokenContext = (udid: string): string => `device/${udid}/unlock-token`;

/** A secret command parameter given by an admin (a PIN, a password), by Apple's key name. */
export const commandSecretContext = (parameter: string): string => `command-parameter/${parameter}`;
