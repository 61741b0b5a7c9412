import type { Request } from 'express';

/**
 * Optimistic concurrency over HTTP: a resource's ETag is its stream revision ("<revision>"). A
 * change sent with `If-Match` is decided only against that very revision; where a change could
 * silently undo someone else's (policies, group settings) the header is required.
 */
export type IfMatch =
  | { readonly kind: 'absent' }
  | { readonly kind: 'any' }
  | { readonly kind: 'revision'; readonly revision: number }
  | { readonly kind: 'invalid' };

const STRONG_TAG = /^"(\d{1,15})"$/;

export function ifMatchOf(req: Request): IfMatch {
  const header = req.headers['if-match'];
  if (header === undefined) return { kind: 'absent' };
  const value = header.trim();
  if (value === '*') return { kind: 'any' };
  const match = STRONG_TAG.exec(value);
  return match ? { kind: 'revision', revision: Number(match[1]) } : { kind: 'invalid' };
}

/** The revision a write must find, when the caller named one. */
export const expectedRevisionOf = (ifMatch: IfMatch): number | undefined => (ifMatch.kind === 'revision' ? ifMatch.revision : undefined);

export class PreconditionRequiredError extends Error {
  override readonly name = 'PreconditionRequiredError';
}

export const PRECONDITION_REQUIRED = new PreconditionRequiredError('this change needs If-Match with the ETag of the resource as last read');
