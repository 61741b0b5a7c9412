import { expect } from 'chai';
import { INVENTORY_FIELDS } from '../../application/read-models/inventory-queries.js';
import { INVENTORY_FIELD_PARAMS } from '../../infrastructure/http/admin/query-api-params.js';
import { boolean, decimal, integer, list, oneOf, openApiParameters, parseQuery, QueryParamError, text, time } from '../../infrastructure/http/admin/query-schema.js';

const refused = (run: () => unknown, pattern: RegExp) => {
  expect(run).to.throw(QueryParamError, pattern);
};

describe('query schema', () => {
  const schema = {
    n: integer(1, 10),
    d: decimal(0, 1),
    b: boolean(),
    o: oneOf(['asc', 'desc']),
    t: time(),
    s: text({ maxLength: 5, pattern: /^[a-z]+$/ }),
    l: list(oneOf(['x', 'y', 'z']), { maxItems: 3 }),
  };

  it('turns text into typed values', () => {
    expect(parseQuery(schema, { n: '7', d: '0.25', b: 'false', o: 'asc', t: '2026-01-31T13:00:00+01:00', s: 'abc', l: ['x,y', 'z'] })).to.deep.equal({
      n: 7, d: 0.25, b: false, o: 'asc', t: '2026-01-31T12:00:00.000Z', s: 'abc', l: ['x', 'y', 'z'],
    });
    expect(parseQuery(schema, {})).to.deep.equal({});
  });

  it('refuses what it cannot accept, naming the parameter', () => {
    refused(() => parseQuery(schema, { extra: '1' }), /unknown query parameter "extra"/);
    refused(() => parseQuery(schema, { n: '11' }), /n must be a whole number from 1 to 10/);
    refused(() => parseQuery(schema, { n: '1.5' }), /whole number/);
    refused(() => parseQuery(schema, { n: '' }), /whole number/);
    refused(() => parseQuery(schema, { n: ['1', '2'] }), /once/);
    refused(() => parseQuery(schema, { d: '1e3' }), /d must be a number/);
    refused(() => parseQuery(schema, { b: '1' }), /true or false/);
    refused(() => parseQuery(schema, { o: 'up' }), /one of asc, desc/);
    refused(() => parseQuery(schema, { t: '2026-13-45T00:00:00Z' }), /ISO 8601/);
    refused(() => parseQuery(schema, { t: 'tomorrow' }), /ISO 8601/);
    refused(() => parseQuery(schema, { s: 'abcdef' }), /1 to 5 characters/);
    refused(() => parseQuery(schema, { s: 'AB' }), /expected form/);
    refused(() => parseQuery(schema, { l: 'x,y,z,x' }), /at most 3/);
    refused(() => parseQuery(schema, { l: 'x,w' }), /one of x, y, z/);
    refused(() => parseQuery(schema, { s: { nested: 'a' } }), /not a plain value/);
  });

  it('hands parameters it does not name to the caller, which may take or refuse them', () => {
    const taken: string[] = [];
    expect(parseQuery({ n: integer(1, 10) }, { n: '2', extra: 'v' }, (name, raw) => (name === 'extra' ? taken.push(raw[0]!) > 0 : false))).to.deep.equal({ n: 2 });
    expect(taken).to.deep.equal(['v']);
    refused(() => parseQuery({}, { other: 'v' }, (name) => name === 'extra'), /unknown query parameter "other"/);
  });

  it('describes its parameters for OpenAPI', () => {
    const params = openApiParameters({ l: schema.l, n: schema.n });
    expect(params).to.deep.equal([
      { name: 'l', in: 'query', required: false, schema: { type: 'array', items: { type: 'string', enum: ['x', 'y', 'z'] }, maxItems: 3 }, style: 'form', explode: true },
      { name: 'n', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10 } },
    ]);
  });

  it('types every documented inventory field filter', () => {
    expect(Object.keys(INVENTORY_FIELD_PARAMS).sort()).to.deep.equal([...INVENTORY_FIELDS].sort());
    expect(INVENTORY_FIELD_PARAMS['supervised']!.parse(['true'], 'supervised')).to.equal(true);
    expect(INVENTORY_FIELD_PARAMS['batteryLevel']!.parse(['0.5'], 'batteryLevel')).to.equal(0.5);
    // Digits in a text field stay text: an IMEI is not a number.
    expect(INVENTORY_FIELD_PARAMS['imei']!.parse(['356938035643809'], 'imei')).to.equal('356938035643809');
  });
});
