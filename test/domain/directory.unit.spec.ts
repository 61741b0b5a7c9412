import { expect } from 'chai';
import { directoryDecider } from '../../domain/directory/directory.js';
import { fold } from '../../domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';

describe('directory decider', () => {
  const spec = deciderSpec(directoryDecider);
  it('lists a key once', () => {
    spec.given([]).when({ type: 'AddDirectoryEntry', key: 'development' }).then([{ type: 'DirectoryEntryAdded', data: { key: 'development' } }]);
    spec.given([{ type: 'DirectoryEntryAdded', data: { key: 'development' } }]).when({ type: 'AddDirectoryEntry', key: 'development' }).thenNothing();
    const state = fold(directoryDecider, [{ type: 'DirectoryEntryAdded', data: { key: 'a' } }, { type: 'DirectoryEntryAdded', data: { key: 'b' } }]);
    expect([...state.keys].sort()).to.deep.equal(['a', 'b']);
  });
});
