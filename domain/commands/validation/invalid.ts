import { DomainError } from '../../shared/domain-error.js';

/**
 * Refuses admin input. The message names the key (as a path such as `DeviceLock.PIN`) and never
 * repeats the value: a clear secret sent by mistake must not reach the logs through an error.
 */
export function invalid(path: string, problem: string): never {
  throw new DomainError('invalid-command', `${path}: ${problem}`);
}
