import { expect } from 'chai';
import { InvalidQueryError } from '../../application/ports/document-store.js';
import {
  validateCollectionName,
  validateFilter,
  validateIndexDeclaration,
  validatePath,
  validateQuery,
} from '../../infrastructure/readmodel/query-validation.js';

const refuses = (fn: () => void, message: RegExp) => expect(fn).to.throw(InvalidQueryError, message);

describe('read-model query validation', () => {
  it('takes dotted paths of plain field names and refuses anything else', () => {
    validatePath('security.passcodePresent');
    validatePath('a-b.c_d.0');
    refuses(() => validatePath(''), /1 to 512/);
    refuses(() => validatePath('a..b'), /segment "" must match/);
    refuses(() => validatePath("a'); DROP TABLE x; --"), /segment/);
    refuses(() => validatePath('a.$where'), /segment "\$where"/);
    refuses(() => validatePath('a"b'), /segment/);
    refuses(() => validatePath(Array.from({ length: 17 }, () => 'a').join('.')), /at most 16 segments/);
    refuses(() => validatePath(3 as unknown as string), /dotted path string, got 3/);
  });

  it('takes collection names that can be table names', () => {
    validateCollectionName('inventory');
    validateCollectionName('inventory_v2-rebuild');
    for (const bad of ['', 'Inventory', '1inv', 'inv.x', 'inv"', 'a'.repeat(64), 'inv entory']) {
      refuses(() => validateCollectionName(bad), /collection name/);
    }
  });

  it('takes the port filter language', () => {
    validateFilter({
      state: 'enrolled',
      'security.passcodePresent': true,
      missing: null,
      n: { $gte: 1, $lt: 10 },
      s: { $in: ['a', 1, true, null], $nin: [] },
      t: { $ne: null, $exists: true, $eq: 'x' },
      $or: [{ a: 1 }, { $and: [{ b: { $gt: 'x' } }, { c: { $lte: 2 } }] }],
    });
  });

  it('refuses unknown operators, non-scalar operands and sub-documents, naming the bad part', () => {
    refuses(() => validateFilter({ a: { $regex: 'x' } }), /filter a: unknown operator "\$regex"/);
    refuses(() => validateFilter({ $where: 'sleep(1)' }), /unknown operator "\$where"/);
    refuses(() => validateFilter({ $nor: [{ a: 1 }] }), /unknown operator "\$nor"/);
    refuses(() => validateFilter({ a: { $eq: { $gt: 1 } } }), /filter a.\$eq: expected a string, finite number, boolean or null, got an object/);
    refuses(() => validateFilter({ a: { b: 1 } }), /sub-document "b" is not a condition/);
    refuses(() => validateFilter({ a: [1, 2] }), /filter a: expected a scalar or an operator object, got an array/);
    refuses(() => validateFilter({ a: { $in: [1, [2]] } }), /filter a.\$in\[1\]/);
    refuses(() => validateFilter({ a: { $in: 'x' } }), /expected an array of scalars/);
    refuses(() => validateFilter({ a: { $gt: true } }), /\$gt: expected a string or a finite number, got true/);
    refuses(() => validateFilter({ a: { $gt: null } }), /\$gt/);
    refuses(() => validateFilter({ a: Number.NaN }), /got NaN/);
    refuses(() => validateFilter({ a: { $lt: Infinity } }), /got Infinity/);
    refuses(() => validateFilter({ a: { $exists: 1 } }), /\$exists: expected true or false/);
    refuses(() => validateFilter({ a: {} }), /empty operator object/);
    refuses(() => validateFilter({ a: undefined }), /got undefined/);
    refuses(() => validateFilter({ $or: [] }), /\$or: expected a non-empty array/);
    refuses(() => validateFilter({ $and: {} as never }), /\$and: expected a non-empty array/);
    refuses(() => validateFilter({ 'a b': 1 }), /segment "a b"/);
    refuses(() => validateFilter([] as never), /filter: expected an object, got an array/);
  });

  it('refuses $in lists over 1000 values and nesting deeper than 16', () => {
    validateFilter({ a: { $in: Array.from({ length: 1000 }, (_, i) => i) } });
    refuses(() => validateFilter({ a: { $nin: Array.from({ length: 1001 }, (_, i) => i) } }), /at most 1000 values, got 1001/);
    const nest = (depth: number): Record<string, unknown> => (depth === 1 ? { a: 1 } : { $and: [nest(depth - 1)] });
    validateFilter(nest(16));
    refuses(() => validateFilter(nest(17)), /nest at most 16 deep/);
    const wide = { $or: Array.from({ length: 6 }, () => ({ a: { $in: Array.from({ length: 1000 }, (_, i) => i) } })) };
    refuses(() => validateFilter(wide), /more than 5000 operands/);
  });

  it('checks sort keys, limit, fields and the cursor form of a query', () => {
    validateQuery({ limit: 1 });
    validateQuery({ limit: 1000, sort: [{ path: 'a', direction: 'desc' }, { path: 'b.c', direction: 'asc' }], fields: ['a', 'b.c', 'bc'], cursor: 'abc_-' });
    for (const limit of [0, 1001, 1.5, -1, '10', undefined]) refuses(() => validateQuery({ limit } as never), /limit: expected an integer from 1 to 1000/);
    refuses(() => validateQuery({ limit: 1, sort: [{ path: 'a', direction: 'up' }] } as never), /sort\[0\].direction/);
    refuses(() => validateQuery({ limit: 1, sort: [{ path: 'a;', direction: 'asc' }] }), /sort\[0\].path/);
    refuses(() => validateQuery({ limit: 1, sort: [{ path: 'a', direction: 'asc' }, { path: 'a', direction: 'desc' }] }), /appears twice/);
    refuses(() => validateQuery({ limit: 1, fields: ['a', 'a.b'] }), /"a.b" collides with "a"/);
    refuses(() => validateQuery({ limit: 1, fields: ['a', 'a'] }), /collides/);
    refuses(() => validateQuery({ limit: 1, fields: [] }), /fields: 1 to 100 paths/);
    refuses(() => validateQuery({ limit: 1, cursor: 'not a cursor!' }), /cursor/);
    refuses(() => validateQuery({ limit: 1, skip: 5 } as never), /unknown key "skip"/);
    refuses(() => validateQuery({ limit: 1, filter: { a: { $foo: 1 } } } as never), /unknown operator "\$foo"/);
  });

  it('checks index declarations', () => {
    validateIndexDeclaration({ name: 'byState', fields: [{ path: 'enrollmentState', direction: 'asc' }, { path: 'lastSeenAt', direction: 'desc' }] });
    refuses(() => validateIndexDeclaration({ name: 'x"; drop', fields: [{ path: 'a', direction: 'asc' }] }), /index name/);
    refuses(() => validateIndexDeclaration({ name: 'x', fields: [] }), /at least one field/);
    refuses(() => validateIndexDeclaration({ name: 'x', fields: [{ path: 'a.', direction: 'asc' }] }), /index x\[0\].path/);
  });
});
