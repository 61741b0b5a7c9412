import { expect } from 'chai';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import { expectRefused } from './expect-refused.js';

const APPLE_DOCTYPE =
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';
const plist = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${APPLE_DOCTYPE}\n<plist version="1.0">${inner}</plist>`;

describe('XML plist: malformed and malicious input', () => {
  describe('declarations', () => {
    it('accepts Apple\'s DOCTYPE, a SYSTEM one, none, comments and processing instructions', () => {
      expect(parsePlist(Buffer.from(plist('<true/>')))).to.equal(true);
      expect(parsePlist(Buffer.from('<!DOCTYPE plist SYSTEM "file://localhost/System/Library/DTDs/PropertyList.dtd"><plist><true/></plist>'))).to.equal(true);
      expect(parsePlist(Buffer.from('<!-- c --><?pi x?><plist><!-- c --><string>a<!-- c -->b</string><?pi?></plist><!-- c -->\n'))).to.equal('ab');
    });

    it('refuses entity declarations (billion laughs)', () => {
      const laughs =
        '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><plist><string>&lol3;</string></plist>';
      expectRefused(laughs, /internal subset/);
    });

    it('refuses external entities (XXE)', () => {
      expectRefused('<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><plist><string>&xxe;</string></plist>', /internal subset/);
      expectRefused('<!DOCTYPE plist PUBLIC "x" "y" [<!ENTITY % p SYSTEM "http://127.0.0.1/x">%p;]><plist><true/></plist>', /internal subset/);
    });

    it('refuses declarations outside a DOCTYPE and a second DOCTYPE', () => {
      expectRefused('<!ENTITY xxe "x"><plist><true/></plist>', /declarations other than DOCTYPE/);
      expectRefused(`${APPLE_DOCTYPE}${APPLE_DOCTYPE}<plist><true/></plist>`, /declarations other than DOCTYPE/);
      expectRefused('<plist><!ELEMENT x ANY><true/></plist>', /declarations inside/);
    });

    it('refuses references to undeclared entities', () => {
      expectRefused(plist('<string>&xxe;</string>'), /undeclared entity/);
      expectRefused(plist('<string>&nbsp;</string>'), /undeclared entity/);
      expectRefused(plist('<string>&#0;</string>'), /does not allow/);
      expectRefused(plist('<string>&#xD800;</string>'), /does not allow/);
      expectRefused(plist('<string>&#x110000;</string>'), /does not allow/);
      expectRefused(plist('<string>&amp</string>'), /malformed entity reference/);
    });

    it('resolves the predefined entities, character references and CDATA', () => {
      expect(parsePlist(Buffer.from(plist('<string>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;<![CDATA[<&>]]></string>')))).to.equal('<>&"\'A😀<&>');
    });

    it('refuses an XML declaration that is not first, and encodings other than UTF-8/16', () => {
      expectRefused(`<plist><?xml version="1.0"?><true/></plist>`, /XML declaration/);
      expectRefused('<?xml version="1.0" encoding="ISO-8859-1"?><plist><true/></plist>', /declared encoding/);
    });
  });

  describe('encoding', () => {
    it('refuses invalid UTF-8', () => {
      expectRefused(Buffer.concat([Buffer.from('<plist><string>'), Buffer.of(0xc3, 0x28), Buffer.from('</string></plist>')]), /UTF-8/);
      expectRefused(Buffer.concat([Buffer.from('<plist><string>'), Buffer.of(0xed, 0xa0, 0x80), Buffer.from('</string></plist>')]), /UTF-8/);
    });

    it('refuses control characters XML does not allow', () => {
      expectRefused(plist('<string>a\u0001b</string>'), /U\+0001/);
      expectRefused(plist('<string>a\u0000b</string>'), /U\+0000/);
    });

    it('reads UTF-16 with a byte order mark, and UTF-8 with one', () => {
      const text = '<?xml version="1.0" encoding="UTF-16"?><plist><string>ü😀</string></plist>';
      const le = Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(text, 'utf16le')]);
      const be = Buffer.from(le).swap16();
      expect(parsePlist(le)).to.equal('ü😀');
      expect(parsePlist(be)).to.equal('ü😀');
      expect(parsePlist(Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(plist('<string>x</string>'))]))).to.equal('x');
    });

    it('normalises line ends in text, keeping CR given as a character reference', () => {
      expect(parsePlist(Buffer.from(plist('<string>a\r\nb\rc&#13;</string>')))).to.equal('a\nb\nc\r');
    });
  });

  describe('structure', () => {
    const refused: [string, string, RegExp][] = [
      ['an empty body', '', /empty/],
      ['plain text', 'hello, world', /expected an element/],
      ['JSON', '{"MessageType":"Authenticate"}', /expected an element/],
      ['HTML', '<html><body>hi</body></html>', /root element is <html>/],
      ['a bare value without <plist>', '<dict><key>a</key><true/></dict>', /root element is <dict>/],
      ['an empty <plist/>', '<plist/>', /holds no value/],
      ['a <plist> without a value', '<plist></plist>', /expected a value element/],
      ['two values in <plist>', '<plist><true/><false/></plist>', /expected <\/plist>/],
      ['content after the root', '<plist><true/></plist><plist><true/></plist>', /after the root/],
      ['text after the root', '<plist><true/></plist>junk', /after the root/],
      ['an unclosed <dict>', '<plist><dict><key>a</key><true/>', /unexpected end/],
      ['an unclosed <string>', '<plist><string>abc', /unexpected end/],
      ['an unclosed start tag', '<plist><string', /malformed start tag|expected/],
      ['a mismatched end tag', '<plist><string>a</integer></plist>', /expected <\/string>/],
      ['an element inside <string>', '<plist><string>a<b/>c</string></plist>', /expected <\/string>/],
      ['an unknown element', '<plist><object/></plist>', /<object> is not a property list element/],
      ['<key> outside <dict>', '<plist><key>a</key></plist>', /<key> is not a property list element/],
      ['a value without a key in <dict>', '<plist><dict><string>a</string></dict></plist>', /expected <key>/],
      ['a key without a value', '<plist><dict><key>a</key></dict></plist>', /expected a value element/],
      ['a duplicate key', '<plist><dict><key>a</key><true/><key>a</key><false/></dict></plist>', /duplicate key/],
      ['text between elements', '<plist><array>oops<true/></array></plist>', /text outside a value element/],
      ['CDATA between elements', '<plist><array><![CDATA[x]]></array></plist>', /CDATA outside/],
      ['text inside <true>', '<plist><true>yes</true></plist>', /text outside a value element/],
      ['a duplicate attribute', '<plist version="1.0" version="1.0"><true/></plist>', /duplicate attribute/],
      ['an unquoted attribute', '<plist version=1.0><true/></plist>', /must be quoted/],
      ['"<" in an attribute', '<plist version="<"><true/></plist>', /"<" in attribute/],
      ['an unterminated comment', '<plist><!-- <true/></plist>', /unterminated comment/],
      ['an unterminated CDATA', '<plist><string><![CDATA[x</string></plist>', /unterminated CDATA/],
      ['an element name of a megabyte', `<plist><${'a'.repeat(1_000_000)}/></plist>`, /name too long/],
      ['an unterminated DOCTYPE', '<!DOCTYPE plist PUBLIC "x', /unterminated/],
    ];
    for (const [name, body, message] of refused) {
      it(`refuses ${name}`, () => {
        expectRefused(body, message);
      });
    }
  });

  describe('scalar text', () => {
    const refused: [string, string][] = [
      ['<integer>abc</integer>', 'an integer'],
      ['<integer></integer>', 'an integer'],
      ['<integer/>', 'an integer'],
      ['<integer>1.5</integer>', 'an integer'],
      ['<integer>18446744073709551616</integer>', 'an integer in the 64-bit range'],
      ['<integer>-9223372036854775809</integer>', 'an integer in the 64-bit range'],
      [`<integer>${'9'.repeat(100_000)}</integer>`, 'an integer'],
      ['<real>one</real>', 'a real'],
      ['<real>1e</real>', 'a real'],
      ['<real>0x10</real>', 'a real'],
      [`<real>${'9'.repeat(100_000)}x</real>`, 'a real'],
      [`<real>1${'.0'.repeat(50_000)}</real>`, 'a real'],
      ['<date>2024-02-30T00:00:00Z</date>', 'an ISO 8601'],
      ['<date>2024-01-01T25:00:00Z</date>', 'an ISO 8601'],
      ['<date>2024-01-01 00:00:00</date>', 'an ISO 8601'],
      ['<date>2024-01-01T00:00:00+02:00</date>', 'an ISO 8601'],
      ['<data>not base64!</data>', 'base64'],
      ['<data>A</data>', 'base64'],
      ['<data>AAAA=AAA</data>', 'base64'],
      [`<data>${'A'.repeat(400_001)}!</data>`, 'base64'],
    ];
    for (const [inner, expected] of refused) {
      it(`refuses ${inner.length > 60 ? `${inner.slice(0, 40)}…` : inner}`, () => {
        expectRefused(plist(inner), new RegExp(`does not hold ${expected}`));
      });
    }

    it('reads the forms Apple and Python write', () => {
      const read = (inner: string) => parsePlist(Buffer.from(plist(inner)));
      expect(read('<integer> 42\n</integer>')).to.equal(42);
      expect(read('<integer>-0</integer>')).to.equal(0);
      expect(read('<integer>0x1F</integer>')).to.equal(31);
      expect(read('<integer>18446744073709551615</integer>')).to.equal(2n ** 64n - 1n);
      expect(read('<real>1</real>')).to.equal(1);
      expect(read('<real>.5</real>')).to.equal(0.5);
      expect(read('<real>-1.25E-2</real>')).to.equal(-0.0125);
      expect(read('<real>+infinity</real>')).to.equal(Infinity);
      expect(read('<real>-inf</real>')).to.equal(-Infinity);
      expect(read('<real>nan</real>')).to.be.NaN;
      expect(read('<date>0099-01-01T00:00:00Z</date>')).to.deep.equal(new Date('0099-01-01T00:00:00Z'));
      expect(read('<date>2024-02-29T12:00:00.5Z</date>')).to.deep.equal(new Date('2024-02-29T12:00:00Z'));
      expect(read('<data>\n\tAAEC\n\tAw==\n</data>')).to.deep.equal(Buffer.of(0, 1, 2, 3));
      expect(read('<data>AAECAw</data>')).to.deep.equal(Buffer.of(0, 1, 2, 3));
      expect(read('<data/>')).to.deep.equal(Buffer.alloc(0));
      expect(read('<string/>')).to.equal('');
      expect(read('<true></true>')).to.equal(true);
      expect(read('<array/>')).to.deep.equal([]);
      expect(read('<dict></dict>')).to.deep.equal({});
      expect(read('<dict><key/><string/></dict>')).to.deep.equal({ '': '' });
    });
  });

  describe('limits', () => {
    const nested = (depth: number) => plist(`${'<array>'.repeat(depth)}${'</array>'.repeat(depth)}`);

    it('accepts nesting of 64 and refuses 65', () => {
      expect(() => parsePlist(Buffer.from(nested(64)))).not.to.throw();
      expectRefused(nested(65), /nesting deeper than 64/);
      expectRefused(plist(`${'<array>'.repeat(64)}<dict/>${'</array>'.repeat(64)}`), /nesting deeper than 64/);
    });

    it('refuses 100,000 levels of nesting without exhausting the stack', () => {
      expectRefused(nested(100_000), /nesting deeper than 64/);
    });

    it('refuses more elements than the limit', () => {
      expectRefused(plist(`<array>${'<true/>'.repeat(260_000)}</array>`), /more than 250000 values/);
      expect(() => parsePlist(Buffer.from(plist('<array><true/><true/><true/></array>')), { maxNodes: 3 })).to.throw(/more than 3 values/);
    });

    it('refuses many references, comments and CDATA sections quickly', () => {
      expectRefused(`<plist><string>${'&amp;'.repeat(200_000)}</string>`, /unexpected end/);
      expectRefused(`<plist><string>${'<!---->'.repeat(200_000)}</string>`, /unexpected end/);
      expectRefused(`<plist><string>${'<![CDATA[]]>'.repeat(200_000)}&amp`, /malformed entity reference/);
      expectRefused(`<plist><string>&amp${'x'.repeat(1_000_000)}`, /malformed entity reference/);
    });
  });
});
