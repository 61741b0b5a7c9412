import { expect } from 'chai';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import { PlistParseError } from '../../infrastructure/plist/plist-errors.js';

/** Generous: these inputs are refused in well under a millisecond; only a hang or blow-up fails. */
const QUICKLY_MS = 1000;

/**
 * The body must be refused by one of the parser's own checks: a PlistParseError with no `cause`
 * (a cause means an unexpected exception was caught by the safety net, i.e. a missing check).
 */
export function expectRefused(body: Buffer | string, message?: RegExp): PlistParseError {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const started = performance.now();
  let caught: unknown;
  try {
    parsePlist(bytes);
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - started;
  expect(caught, 'parsePlist should have refused the body').to.be.instanceOf(PlistParseError);
  const error = caught as PlistParseError;
  expect(error.cause, `unexpected internal error: ${String(error.cause)}`).to.equal(undefined);
  if (message) expect(error.message).to.match(message);
  expect(elapsed, 'refusal took too long').to.be.below(QUICKLY_MS);
  return error;
}

/** Either a value or one of the parser's own refusals; anything else fails the test. */
export function parseOrRefuse(body: Buffer): 'parsed' | 'refused' {
  try {
    parsePlist(body);
    return 'parsed';
  } catch (error) {
    if (!(error instanceof PlistParseError)) throw error;
    if (error.cause !== undefined) throw error.cause;
    return 'refused';
  }
}
