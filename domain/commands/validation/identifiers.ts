import { COMMAND_LIMITS } from '../limits.js';
import { readList, readText, type TextRule } from './read.js';
import { PATTERNS } from './text.js';

export const BUNDLE_IDENTIFIER: TextRule = { max: COMMAND_LIMITS.identifierLength, pattern: PATTERNS.bundleIdentifier, what: 'a bundle identifier such as "com.example.app"' };
/** Configuration profile identifiers are free-form (reverse DNS by convention). */
export const PROFILE_IDENTIFIER: TextRule = { max: COMMAND_LIMITS.identifierLength };
export const UUID: TextRule = { max: 36, pattern: PATTERNS.uuid, what: 'a UUID' };

export const readBundleIdentifier = (value: unknown, path: string): string => readText(value, path, BUNDLE_IDENTIFIER);

export const readBundleIdentifiers = (value: unknown, path: string): string[] =>
  readList(value, path, { min: 1, max: COMMAND_LIMITS.identifiers, unique: true }, readBundleIdentifier);
