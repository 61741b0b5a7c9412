/** The SecretBox context of a device's unlock token: a sealed token opens only for its own device. */
export const unlockTokenContext = (udid: string): string => `device/${udid}/unlock-token`;
