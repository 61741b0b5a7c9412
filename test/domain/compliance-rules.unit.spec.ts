import { expect } from 'chai';
import { parseRules } from '../../domain/compliance-policy/rules.js';
import { parseScope, scopeIncludes } from '../../domain/compliance-policy/scope.js';
import { DomainError } from '../../domain/shared/domain-error.js';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    return error as DomainError;
  }
  expect.fail('expected a refusal');
}

describe('compliance rules', () => {
  it('accepts every rule type and fills in defaults', () => {
    expect(parseRules([
      { type: 'passcode-required' },
      { type: 'hardware-encryption' },
      { type: 'minimum-os-version', version: '17.4.1' },
      { type: 'required-profiles', identifiers: ['com.example.wifi', 'com.example.vpn'] },
      { type: 'forbidden-profiles', identifiers: ['com.bad'] },
      { type: 'required-apps', identifiers: ['com.example.app'] },
      { type: 'maximum-days-since-seen', days: 7 },
      { type: 'certificates-expiring', withinDays: 0 },
      { type: 'roaming-off', voice: true },
    ])).to.deep.equal([
      { type: 'passcode-required' },
      { type: 'hardware-encryption', caps: 3 },
      { type: 'minimum-os-version', version: '17.4.1' },
      { type: 'required-profiles', identifiers: ['com.example.wifi', 'com.example.vpn'] },
      { type: 'forbidden-profiles', identifiers: ['com.bad'] },
      { type: 'required-apps', identifiers: ['com.example.app'] },
      { type: 'maximum-days-since-seen', days: 7 },
      { type: 'certificates-expiring', withinDays: 0 },
      { type: 'roaming-off', data: false, voice: true },
    ]);
    expect(parseRules([{ type: 'roaming-off' }])).to.deep.equal([{ type: 'roaming-off', data: true, voice: true }]);
    expect(parseRules([{ type: 'hardware-encryption', caps: 2 }])).to.deep.equal([{ type: 'hardware-encryption', caps: 2 }]);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['not a list', { type: 'passcode-required' }, /rules must be a list/],
    ['an empty list', [], /at least one rule/],
    ['a non-object', ['passcode-required'], /^rule 1: a rule is an object/],
    ['an unknown type', [{ type: 'jailbreak' }], /^rule 1: unknown rule type "jailbreak" \(one of passcode-required, /],
    ['an unknown field', [{ type: 'passcode-required', length: 6 }], /^rule 1 \(passcode-required\): unknown field "length" \(it takes none\)$/],
    ['caps out of range', [{ type: 'hardware-encryption', caps: 4 }], /caps must be a whole number from 1 to 3/],
    ['a bad OS version', [{ type: 'minimum-os-version', version: '17.x' }], /version must be like "17", "17.4" or "17.4.1"/],
    ['a numeric OS version', [{ type: 'minimum-os-version', version: 17 }], /version must be like/],
    ['four OS components', [{ type: 'minimum-os-version', version: '1.2.3.4' }], /version must be like/],
    ['no identifiers', [{ type: 'required-profiles', identifiers: [] }], /one or more profile identifiers/],
    ['an identifier with a space', [{ type: 'required-apps', identifiers: ['com.example app'] }], /"com.example app" is not a valid app identifier/],
    ['a repeated identifier', [{ type: 'forbidden-profiles', identifiers: ['a', 'a'] }], /a is listed twice/],
    ['fractional days', [{ type: 'maximum-days-since-seen', days: 1.5 }], /days must be a whole number from 1 to 3650/],
    ['zero days', [{ type: 'maximum-days-since-seen', days: 0 }], /days must be a whole number from 1/],
    ['missing days', [{ type: 'maximum-days-since-seen' }], /days is required/],
    ['negative withinDays', [{ type: 'certificates-expiring', withinDays: -1 }], /withinDays must be a whole number from 0 to 3650/],
    ['roaming nothing', [{ type: 'roaming-off', data: false, voice: false }], /at least one of data and voice must be true/],
    ['roaming not boolean', [{ type: 'roaming-off', data: 'yes' }], /data must be true or false/],
    ['two rules of a type', [{ type: 'passcode-required' }, { type: 'roaming-off' }, { type: 'passcode-required' }], /rule type passcode-required appears twice/],
  ];
  for (const [what, input, message] of cases) {
    it(`refuses ${what} with a clear message`, () => {
      const error = refusal(() => parseRules(input));
      expect(error.code).to.equal('invalid-rule');
      expect(error.message).to.match(message);
    });
  }

  it('gives the position of the rule at fault', () => {
    expect(refusal(() => parseRules([{ type: 'passcode-required' }, { type: 'minimum-os-version' }])).message).to.match(/^rule 2 \(minimum-os-version\): /);
  });
});

describe('compliance scope', () => {
  it('is every enrolled device or sorted groups', () => {
    expect(parseScope({ type: 'all' })).to.deep.equal({ type: 'all' });
    expect(parseScope({ type: 'groups', groups: ['sales', 'dev'] })).to.deep.equal({ type: 'groups', groups: ['dev', 'sales'] });
  });

  for (const [input, message] of [
    [null, /a scope is/],
    [['dev'], /a scope is/],
    [{ type: 'some' }, /"all" or "groups"/],
    [{ type: 'all', groups: ['dev'] }, /takes no other field/],
    [{ type: 'groups', groups: ['Dev'] }, /"Dev" is not a group name/],
    [{ type: 'groups', groups: ['dev', 'dev'] }, /group dev is named twice/],
    [{ type: 'groups' }, /at least one group/],
  ] as const) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      const error = refusal(() => parseScope(input));
      expect(error.code).to.equal('invalid-scope');
      expect(error.message).to.match(message);
    });
  }

  it('takes in members of a group and devices that enrolled into it', () => {
    const scope = parseScope({ type: 'groups', groups: ['sales'] });
    expect(scopeIncludes(scope, ['dev', 'sales'], undefined)).to.equal(true);
    expect(scopeIncludes(scope, [], 'sales')).to.equal(true);
    expect(scopeIncludes(scope, ['dev'], 'dev')).to.equal(false);
    expect(scopeIncludes({ type: 'all' }, [], undefined)).to.equal(true);
  });
});
