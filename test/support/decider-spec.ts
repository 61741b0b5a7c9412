import { expect } from 'chai';
import type { Decider } from '../../domain/shared/decider.js';
import { DomainError } from '../../domain/shared/domain-error.js';

/**
 * Given/When/Then for deciders:
 *   spec.given([...events]).when(command).then([...events])
 *   spec.given([...]).when(command).thenThrows('code')
 */
export function deciderSpec<C, E, S>(decider: Decider<C, E, S>) {
  return {
    given(events: E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: E[]) {
              expect(run()).to.deep.equal(expected);
            },
            thenNothing() {
              expect(run()).to.deep.equal([]);
            },
            thenThrows(code: string) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught, 'decide should refuse the command').to.be.instanceOf(DomainError);
              expect((caught as DomainError).code).to.equal(code);
            },
          };
        },
      };
    },
  };
}
