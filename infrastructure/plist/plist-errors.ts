/**
 * Error messages name the offending key, type or byte offset, never the value: check-ins carry
 * unlock tokens and the messages end up in logs.
 */

/** The body is not a well-formed, acceptable property list (malformed, malicious or over a limit). */
export class PlistParseError extends Error {
  override readonly name = 'PlistParseError';
}

/** A parsed property list lacks a key, or holds a value of the wrong type, for what the caller reads. */
export class PlistShapeError extends Error {
  override readonly name = 'PlistShapeError';

  constructor(
    /** The key (or a description of the value) that failed, e.g. "UDID" or "QueryResponses". */
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(actual === 'nothing' ? `"${key}" is missing (expected ${expected})` : `"${key}" must be ${expected}, not ${actual}`);
  }
}

/** A value cannot be written as a property list (null, a cycle, a lone surrogate, an integer out of range...). */
export class PlistBuildError extends Error {
  override readonly name = 'PlistBuildError';
}
