import { expect } from 'chai';
import { InvalidQueryError } from '../../application/ports/document-store.js';
import { decodeCursor, encodeCursor, sortValue } from '../../infrastructure/readmodel/cursor.js';

describe('read-model cursors', () => {
  it('round-trips sort values of every scalar type and the id, in base64url', () => {
    const cursor = encodeCursor(['2026-11-01T00:00:00Z', 3.5, true, null, 'é/+='], 'device/1');
    expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 5)).to.deep.equal({ values: ['2026-11-01T00:00:00Z', 3.5, true, null, 'é/+='], id: 'device/1' });
    expect(decodeCursor(encodeCursor([], 'x'), 0)).to.deep.equal({ values: [], id: 'x' });
  });

  it('refuses what it did not issue, and a cursor made for another number of sort keys', () => {
    const refuses = (cursor: unknown, keys: number, message = /cursor/) => expect(() => decodeCursor(cursor, keys)).to.throw(InvalidQueryError, message);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    refuses(encodeCursor(['a'], 'x'), 2, /made for 1 sort key\(s\), this query has 2/);
    refuses('', 0);
    refuses('!!', 0);
    refuses(42, 0);
    refuses(Buffer.from('not json').toString('base64url'), 0);
    refuses(b64({ values: [], id: 'x' }), 0);
    refuses(b64([[{ $gt: 1 }], 'x']), 1);
    refuses(b64([[], '']), 0);
    refuses(b64([[], 7]), 0);
    refuses('a'.repeat(9000), 0);
  });

  it('reads the scalar at a dotted path, null when missing or not a scalar', () => {
    const doc = { a: { b: { c: 5 } }, s: 'x', f: false, arr: [1], o: {} };
    expect(sortValue(doc, 'a.b.c')).to.equal(5);
    expect(sortValue(doc, 's')).to.equal('x');
    expect(sortValue(doc, 'f')).to.equal(false);
    expect(sortValue(doc, 'a.x')).to.equal(null);
    expect(sortValue(doc, 's.length')).to.equal(null);
    expect(sortValue(doc, 'arr.0')).to.equal(null);
    expect(sortValue(doc, 'arr')).to.equal(null);
    expect(sortValue(doc, 'o')).to.equal(null);
    expect(sortValue(doc, 'toString')).to.equal(null);
  });
});
