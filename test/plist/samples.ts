import { PlistReal, type PlistDict } from '../../infrastructure/plist/plist-value.js';

/**
 * One value of every kind the model holds, with the edges of each: reals are PlistReal so that
 * parsing with `preserveReals` gives back exactly this.
 */
export function everyType(): PlistDict {
  return {
    ascii: 'MDM',
    unicode: 'Grüße, 東京 😀 — “quotes”',
    empty: '',
    markup: '<key>&amp; ]]> "double" \'single\'',
    whitespace: '  leading and trailing\n\tlines  ',
    carriageReturns: 'a\r\nb\rc',
    zero: 0,
    one: 1,
    byteMax: 255,
    byteOver: 256,
    shortOver: 65_536,
    uint32Max: 2 ** 32 - 1,
    uint32Over: 2 ** 32,
    safeMax: Number.MAX_SAFE_INTEGER,
    int64Max: 2n ** 63n - 1n,
    uint64Over63: 2n ** 63n,
    uint64Max: 2n ** 64n - 1n,
    minusOne: -1,
    minus255: -255,
    safeMin: Number.MIN_SAFE_INTEGER,
    int64Min: -(2n ** 63n),
    real: new PlistReal(1.5),
    wholeReal: new PlistReal(1),
    negativeReal: new PlistReal(-0.25),
    batteryLevel: new PlistReal(0.87),
    tinyReal: new PlistReal(5e-324),
    hugeReal: new PlistReal(1.7976931348623157e308),
    yes: true,
    no: false,
    date: new Date('2024-02-29T12:34:56Z'),
    before2001: new Date('1999-12-31T23:59:59Z'),
    appleEpoch: new Date('2001-01-01T00:00:00Z'),
    data: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    emptyData: Buffer.alloc(0),
    emptyArray: [],
    emptyDict: {},
    mixed: [1, 'two', new PlistReal(3), true, new Date('2020-01-01T00:00:00Z'), Buffer.from('x'), [], {}],
    nested: { level1: { level2: { level3: [{ leaf: 'deep', 'key with spaces & <markup>': 'ünïcödé' }] } } },
    shared: ['same', 'same', 'same'],
  };
}

/** Over 255 objects and 64 KiB: 2-byte references and 4-byte offsets in the binary form. */
export function largeValue(): PlistDict {
  return {
    strings: Array.from({ length: 400 }, (_, i) => `value-${i}`),
    numbers: Array.from({ length: 400 }, (_, i) => i * 1000),
    blob: Buffer.alloc(70_000, 0xab),
    longUnicode: 'é'.repeat(20_000),
  };
}
