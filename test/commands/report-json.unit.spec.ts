import { expect } from 'chai';
import plist from 'plist';
import { reportToJson } from '../../infrastructure/mdm-commands/report-json.js';

describe('reportToJson', () => {
  it('turns a parsed plist into JSON-safe values: data to base64, dates to ISO 8601', () => {
    const parsed = plist.parse(`<?xml version="1.0"?><plist version="1.0"><dict>
      <key>Data</key><data>AAECAw==</data>
      <key>When</key><date>2026-10-30T22:14:05Z</date>
      <key>Count</key><integer>3</integer>
      <key>Level</key><real>0.5</real>
      <key>Flag</key><true/>
      <key>List</key><array><string>a</string><data>/w==</data></array>
    </dict></plist>`);
    expect(reportToJson(parsed)).to.deep.equal({ Data: 'AAECAw==', When: '2026-10-30T22:14:05.000Z', Count: 3, Level: 0.5, Flag: true, List: ['a', '/w=='] });
  });

  it('leaves out what JSON cannot hold faithfully', () => {
    class Real {
      constructor(readonly value: number) {}
      valueOf() {
        return this.value;
      }
    }
    const input = {
      big: 2n ** 63n - 1n,
      small: 12n,
      nan: Number.NaN,
      bad: new Date('nope'),
      real: new Real(1),
      nothing: null,
      fn: () => 1,
      bytes: new Uint8Array([1, 2, 3]).subarray(1),
    };
    expect(reportToJson(input)).to.deep.equal({ small: 12, real: 1, bytes: Buffer.from([2, 3]).toString('base64') });
  });

  it('answers undefined unless the report is a dictionary', () => {
    for (const value of [null, [], 'x', 1, new Date(), Buffer.from('x')]) expect(reportToJson(value)).to.equal(undefined);
  });

  it('stops at a bounded depth instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep['a'] = {}) as Record<string, unknown>;
    expect(() => reportToJson(root)).to.not.throw();
  });
});
