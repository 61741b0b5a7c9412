import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { buildXmlPlist } from '../../infrastructure/plist/build-xml-plist.js';
import { seededRandom } from './craft-binary.js';
import { parseOrRefuse } from './expect-refused.js';
import { everyType } from './samples.js';

/**
 * Every body must end as a value or as one of the parser's own refusals: parseOrRefuse rethrows
 * anything else, including errors only the safety net in parsePlist caught. Seeds are fixed so a
 * failure reproduces; the failing iteration is in the message.
 */
describe('plist parser fuzzing (fixed seeds)', function () {
  this.timeout(20_000);

  function run(iterations: number, seed: number, make: (random: () => number) => Buffer): Record<string, number> {
    const random = seededRandom(seed);
    const outcomes: Record<string, number> = { parsed: 0, refused: 0 };
    for (let i = 0; i < iterations; i++) {
      const body = make(random);
      try {
        outcomes[parseOrRefuse(body)]!++;
      } catch (error) {
        throw new Error(`iteration ${i} (seed ${seed}), body ${body.toString('base64')}: ${String(error)}`);
      }
    }
    return outcomes;
  }

  const randomBytes = (random: () => number, length: number) =>
    Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));

  function mutate(random: () => number, original: Buffer, alphabet?: Buffer): Buffer {
    const body = Buffer.from(original);
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * body.length);
      body[at] = alphabet ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
    }
    const cut = random() < 0.2 ? Math.floor(random() * body.length) : body.length;
    return body.subarray(0, cut);
  }

  it('refuses 3,000 random byte strings', () => {
    const outcomes = run(3000, 0x5eed, (random) => randomBytes(random, Math.floor(random() * 256)));
    expect(outcomes.parsed).to.equal(0);
  });

  it('survives 3,000 random bodies behind a bplist00 header', () => {
    const outcomes = run(3000, 0xb1157, (random) =>
      Buffer.concat([Buffer.from('bplist00'), randomBytes(random, 34 + Math.floor(random() * 200))]),
    );
    expect(outcomes.refused).to.be.greaterThan(2900);
  });

  it('survives 3,000 mutations of a valid binary plist', () => {
    const original = buildBinaryPlist(everyType());
    const outcomes = run(3000, 0xb1e55, (random) => mutate(random, original));
    expect(outcomes.refused).to.be.greaterThan(0);
    expect(outcomes.parsed).to.be.greaterThan(0);
  });

  it('survives 3,000 mutations of a valid binary plist\'s trailer and offset table', () => {
    const original = buildBinaryPlist({ a: [1, 'two', { three: true }], b: Buffer.from('data') });
    const tail = original.length - 32 - 20;
    const outcomes = run(3000, 0x7a11, (random) => {
      const body = Buffer.from(original);
      for (let e = 0; e < 1 + Math.floor(random() * 3); e++) body[tail + Math.floor(random() * 52)] = Math.floor(random() * 256);
      return body;
    });
    expect(outcomes.refused).to.be.greaterThan(0);
  });

  it('survives 3,000 mutations of a valid XML plist', () => {
    const original = Buffer.from(buildXmlPlist(everyType()));
    const markup = Buffer.from('<>/&;#![]-?="\' \nkeydictarrayCDATA');
    const outcomes = run(3000, 0x3131, (random) => mutate(random, original, random() < 0.5 ? markup : undefined));
    expect(outcomes.refused).to.be.greaterThan(0);
    expect(outcomes.parsed).to.be.greaterThan(0);
  });
});
