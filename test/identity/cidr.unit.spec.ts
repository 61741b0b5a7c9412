import { expect } from 'chai';
import { cidrMatcher } from '../../infrastructure/http/device/identity/cidr.js';

describe('cidrMatcher (trusted proxy addresses)', () => {
  it('matches IPv4 blocks on the prefix bits', () => {
    const trusted = cidrMatcher(['10.0.0.0/8', '192.168.4.0/22', '203.0.113.7']);
    expect(trusted('10.255.1.2')).to.equal(true);
    expect(trusted('11.0.0.1')).to.equal(false);
    expect(trusted('192.168.7.255')).to.equal(true);
    expect(trusted('192.168.8.0')).to.equal(false);
    expect(trusted('203.0.113.7')).to.equal(true);
    expect(trusted('203.0.113.8')).to.equal(false);
  });

  it('matches IPv6 blocks, including prefixes that end inside a byte', () => {
    const trusted = cidrMatcher(['2001:db8:abc0::/45', '::1/128']);
    expect(trusted('2001:db8:abc7:ffff::1')).to.equal(true);
    expect(trusted('2001:db8:abc8::1')).to.equal(false);
    expect(trusted('::1')).to.equal(true);
    expect(trusted('::2')).to.equal(false);
  });

  it('matches IPv4-mapped IPv6 peers against IPv4 blocks, and against ::ffff:0:0/96', () => {
    expect(cidrMatcher(['10.0.0.0/8'])('::ffff:10.0.0.1')).to.equal(true);
    expect(cidrMatcher(['10.0.0.0/8'])('::ffff:11.0.0.1')).to.equal(false);
    expect(cidrMatcher(['::ffff:0:0/96'])('::ffff:10.0.0.1')).to.equal(true);
    expect(cidrMatcher(['::ffff:10.0.0.0/104'])('::ffff:10.9.9.9')).to.equal(true);
  });

  it('keeps families apart: an IPv4 block never matches a plain IPv6 address', () => {
    expect(cidrMatcher(['0.0.0.0/0'])('2001:db8::1')).to.equal(false);
    expect(cidrMatcher(['::/0'])('10.0.0.1')).to.equal(false);
    expect(cidrMatcher(['0.0.0.0/0'])('10.0.0.1')).to.equal(true);
  });

  it('matches nothing without blocks, and nothing for unknown or odd peers', () => {
    expect(cidrMatcher([])('127.0.0.1')).to.equal(false);
    const trusted = cidrMatcher(['0.0.0.0/0', '::/0']);
    expect(trusted(undefined)).to.equal(false);
    expect(trusted('')).to.equal(false);
    expect(trusted('localhost')).to.equal(false);
    expect(trusted('fe80::1%eth0')).to.equal(false);
  });

  it('accepts host bits set in the block (they are masked)', () => {
    expect(cidrMatcher(['10.1.2.3/8'])('10.200.0.1')).to.equal(true);
  });

  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'example.com/8', '', '10.0.0/8', '10.0.0.0/ 8']) {
    it(`refuses the malformed block "${bad}" at configuration time`, () => {
      expect(() => cidrMatcher([bad])).to.throw(/CIDR|prefix length/);
    });
  }
});
