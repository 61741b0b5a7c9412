/**
 * An immutable set of strings whose updates cost about √n instead of n: a shared base set plus a
 * small overlay of changes, folded into a new base when the overlay grows. Aggregates with large
 * memberships (a group of every production device) can then fold their history in O(n·√n) without
 * giving up immutable states.
 */
export class StringSet implements Iterable<string> {
  private constructor(
    private readonly base: ReadonlySet<string>,
    /** Changes on top of the base: true = present, false = removed. */
    private readonly overlay: ReadonlyMap<string, boolean>,
    readonly size: number,
  ) {}

  static readonly empty = new StringSet(new Set(), new Map(), 0);

  static of(values: Iterable<string>): StringSet {
    const base = new Set(values);
    return new StringSet(base, new Map(), base.size);
  }

  has(value: string): boolean {
    const changed = this.overlay.get(value);
    return changed ?? this.base.has(value);
  }

  add(value: string): StringSet {
    return this.has(value) ? this : this.with(value, true, this.size + 1);
  }

  delete(value: string): StringSet {
    return this.has(value) ? this.with(value, false, this.size - 1) : this;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const value of this.base) if (!this.overlay.has(value)) yield value;
    for (const [value, present] of this.overlay) if (present) yield value;
  }

  private with(value: string, present: boolean, size: number): StringSet {
    const overlay = new Map(this.overlay);
    if (present === this.base.has(value)) overlay.delete(value);
    else overlay.set(value, present);
    if (overlay.size * overlay.size <= Math.max(this.base.size, 1024)) return new StringSet(this.base, overlay, size);
    const base = new Set(this.base);
    for (const [v, p] of overlay) {
      if (p) base.add(v);
      else base.delete(v);
    }
    return new StringSet(base, new Map(), size);
  }
}
