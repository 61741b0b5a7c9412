/**
 * An aggregate as two pure functions. `decide` turns a command into the facts it causes (or throws a
 * DomainError); `evolve` folds a fact into the state. No I/O, no clock, no randomness: times and
 * identifiers arrive inside commands.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
}

/** Folds a history into the current state. */
export function fold<Event, State>(decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>, events: readonly Event[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/** For exhaustive switches: adding a union member without handling it fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
