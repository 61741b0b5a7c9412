/**
 * A command the business rules refuse. `code` is stable (API clients and tests match on it);
 * `message` is for people.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
