import { expect } from 'chai';
import { StringSet } from '../../domain/shared/string-set.js';

describe('StringSet', () => {
  it('behaves like a Set under random adds and deletes, and never changes an older version', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let set = StringSet.empty;
    const model = new Set<string>();
    const snapshots: Array<{ set: StringSet; model: Set<string> }> = [];
    for (let i = 0; i < 5_000; i++) {
      const value = `v${Math.floor(random() * 800)}`;
      if (random() < 0.6) {
        set = set.add(value);
        model.add(value);
      } else {
        set = set.delete(value);
        model.delete(value);
      }
      if (i % 500 === 0) snapshots.push({ set, model: new Set(model) });
      expect(set.size).to.equal(model.size);
    }
    expect(new Set(set)).to.deep.equal(model);
    for (const s of snapshots) {
      expect(new Set(s.set)).to.deep.equal(s.model);
      expect(s.set.size).to.equal(s.model.size);
    }
  });

  it('returns itself when nothing changes', () => {
    const a = StringSet.of(['x']);
    expect(a.add('x')).to.equal(a);
    expect(a.delete('y')).to.equal(a);
  });
});
