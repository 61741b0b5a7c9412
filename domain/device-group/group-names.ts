/**
 * Group names are slugs (`development`, `production`, `sales-emea`): they appear in stream ids,
 * enrollment tokens and command lines, so nothing there needs quoting.
 */
export const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const isGroupName = (value: unknown): value is string => typeof value === 'string' && GROUP_NAME.test(value);

/** What check-ins accept as a UDID (and so what a group can hold before the device enrolls). */
export const UDID = /^[A-Za-z0-9-]{8,64}$/;

export const isUdid = (value: unknown): value is string => typeof value === 'string' && UDID.test(value);
