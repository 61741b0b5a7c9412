import { PlistParseError } from './plist-errors.js';

const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const MAX_NAME_LENGTH = 64;
const WHITESPACE = /[ \t\n]*/y;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export interface StartTag {
  name: string;
  /** `<name/>`: no content and no end tag follow. */
  empty: boolean;
  offset: number;
}

/**
 * A cursor over the small part of XML 1.0 that property lists use: elements, attributes, character
 * data, the five predefined entities and character references, CDATA, comments, processing
 * instructions. Nothing is ever fetched or expanded beyond that: a DOCTYPE is accepted only without
 * an internal subset, so entity declarations (XXE, billion laughs) cannot exist.
 */
export class XmlReader {
  private pos = 0;
  private nextLt = -1;
  private nextAmp = -1;

  constructor(private readonly text: string) {}

  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string, at = this.pos): never {
    throw new PlistParseError(`${message} (offset ${at})`);
  }

  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  /** Whitespace, comments and processing instructions: what may sit between elements. */
  skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else return;
    }
  }

  /** `<?xml ...?>`; returns its encoding pseudo-attribute when there is one. */
  readXmlDeclaration(): string | undefined {
    if (!/^<\?xml[ \t\n]/.test(this.text.slice(this.pos, this.pos + 6))) return undefined;
    const end = this.text.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated XML declaration');
    const declaration = this.text.slice(this.pos, end);
    this.pos = end + 2;
    return /encoding[ \t\n]*=[ \t\n]*["']([^"']*)["']/.exec(declaration)?.[1];
  }

  /** `<!DOCTYPE name [PUBLIC "..." "..." | SYSTEM "..."]>`, refused when it declares anything. */
  skipDoctype(): void {
    const start = this.pos;
    this.pos += '<!DOCTYPE'.length;
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unterminated DOCTYPE', start);
      if (char === '[') this.fail('DOCTYPE with an internal subset (entity or other declarations) is refused', start);
      if (char === '>') break;
      if (char === '"' || char === "'") {
        const close = this.text.indexOf(char, this.pos + 1);
        if (close < 0) this.fail('unterminated literal in DOCTYPE', start);
        this.pos = close + 1;
      } else {
        this.pos++;
      }
    }
    this.pos++;
  }

  readStartTag(): StartTag {
    const offset = this.pos;
    if (this.text[this.pos] !== '<') this.fail('expected an element');
    this.pos++;
    const name = this.readName();
    const seen = new Set<string>();
    for (;;) {
      const before = this.pos;
      this.skipWhitespace();
      if (this.startsWith('/>')) {
        this.pos += 2;
        return { name, empty: true, offset };
      }
      if (this.startsWith('>')) {
        this.pos++;
        return { name, empty: false, offset };
      }
      if (this.pos === before) this.fail(`malformed start tag <${name}>`, offset);
      const attribute = this.readName();
      if (seen.has(attribute)) this.fail(`duplicate attribute ${attribute}`);
      seen.add(attribute);
      this.skipWhitespace();
      if (this.text[this.pos] !== '=') this.fail(`attribute ${attribute} has no value`);
      this.pos++;
      this.skipWhitespace();
      this.readAttributeValue();
    }
  }

  readEndTag(name: string): void {
    const offset = this.pos;
    if (!this.startsWith('</')) this.fail(`expected </${name}>`);
    this.pos += 2;
    const actual = this.readName();
    this.skipWhitespace();
    if (actual !== name || this.text[this.pos] !== '>') this.fail(`expected </${name}>`, offset);
    this.pos++;
  }

  /** Character data up to the next tag, with references resolved, CDATA kept and comments dropped. */
  readText(): string {
    let result = '';
    for (;;) {
      const next = this.nextMarkup();
      result += this.text.slice(this.pos, next);
      this.pos = next;
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unexpected end of document');
      if (char === '&') {
        result += this.readReference();
      } else if (this.startsWith('<![CDATA[')) {
        const end = this.text.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unterminated CDATA section');
        result += this.text.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.startsWith('<!--')) {
        this.skipComment();
      } else if (this.startsWith('<?')) {
        this.skipProcessingInstruction();
      } else {
        return result;
      }
    }
  }

  /**
   * Remembers where the next `<` and `&` are: rescanning the rest of the body for each of many
   * references or comments would be quadratic.
   */
  private nextMarkup(): number {
    if (this.nextLt < this.pos) this.nextLt = indexOrEnd(this.text, '<', this.pos);
    if (this.nextAmp < this.pos) this.nextAmp = indexOrEnd(this.text, '&', this.pos);
    return Math.min(this.nextLt, this.nextAmp);
  }

  private readName(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) this.fail('expected a name');
    // Plist names are short; a cap also keeps attacker-chosen names out of long error messages.
    if (match[0].length > MAX_NAME_LENGTH) this.fail('name too long');
    this.pos = NAME.lastIndex;
    return match[0];
  }

  private readAttributeValue(): string {
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted');
    this.pos++;
    let value = '';
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unterminated attribute value');
      if (char === quote) break;
      if (char === '<') this.fail('"<" in attribute value');
      if (char === '&') {
        value += this.readReference();
      } else {
        value += char;
        this.pos++;
      }
    }
    this.pos++;
    return value;
  }

  private readReference(): string {
    const start = this.pos;
    // The longest legal reference is `&#x10FFFF;`; looking further would rescan the body.
    const end = this.text.slice(start, start + 12).indexOf(';') + start;
    if (end < start) this.fail('malformed entity reference', start);
    const body = this.text.slice(start + 1, end);
    this.pos = end + 1;
    const predefined = PREDEFINED_ENTITIES[body];
    if (predefined !== undefined && Object.hasOwn(PREDEFINED_ENTITIES, body)) return predefined;
    const numeric = /^#(?:([0-9]{1,7})|x([0-9A-Fa-f]{1,6}))$/.exec(body);
    if (!numeric) this.fail('reference to an undeclared entity', start);
    const codePoint = numeric[1] !== undefined ? Number.parseInt(numeric[1], 10) : Number.parseInt(numeric[2]!, 16);
    if (!isXmlChar(codePoint)) this.fail('character reference to a character XML does not allow', start);
    return String.fromCodePoint(codePoint);
  }

  private skipComment(): void {
    const end = this.text.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  private skipProcessingInstruction(): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.readName();
    if (target.toLowerCase() === 'xml') this.fail('XML declaration is only allowed at the start', start);
    const end = this.text.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated processing instruction', start);
    this.pos = end + 2;
  }
}

function indexOrEnd(text: string, char: string, from: number): number {
  const index = text.indexOf(char, from);
  return index < 0 ? text.length : index;
}

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
