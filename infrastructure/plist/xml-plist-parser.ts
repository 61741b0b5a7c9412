import { resolveLimits, type PlistParseOptions } from './plist-limits.js';
import { PlistReal, setDictEntry, type PlistDict, type PlistValue } from './plist-value.js';
import { NodeBudget } from './node-budget.js';
import { decodeXmlText } from './xml-text-decoding.js';
import { XmlReader } from './xml-reader.js';
import { readData, readDate, readInteger, readReal } from './xml-scalars.js';

/**
 * Our own reader for Apple's XML plist DTD rather than a general XML library: the subset is small,
 * and owning it means no DTD processing, no entity expansion and hard limits everywhere.
 */
export function parseXmlPlist(body: Buffer, options: PlistParseOptions = {}): PlistValue {
  const { text, encoding } = decodeXmlText(body);
  const parser = new XmlPlistParser(new XmlReader(text), options);
  return parser.parseDocument(encoding);
}

class XmlPlistParser {
  private readonly budget: NodeBudget;
  private readonly preserveReals: boolean;

  constructor(
    private readonly xml: XmlReader,
    options: PlistParseOptions,
  ) {
    this.budget = new NodeBudget(resolveLimits(options));
    this.preserveReals = options.preserveReals === true;
  }

  parseDocument(encoding: 'utf-8' | 'utf-16'): PlistValue {
    const xml = this.xml;
    const declared = xml.readXmlDeclaration();
    if (declared !== undefined && declared.replace('-', '').toLowerCase() !== encoding.replace('-', '')) {
      xml.fail(`declared encoding ${JSON.stringify(declared.slice(0, 20))} does not match the body (${encoding})`, 0);
    }
    xml.skipMisc();
    if (xml.startsWith('<!DOCTYPE')) {
      xml.skipDoctype();
      xml.skipMisc();
    }
    if (xml.startsWith('<!')) xml.fail('declarations other than DOCTYPE are refused');
    if (xml.atEnd()) xml.fail('no root element');
    const root = xml.readStartTag();
    if (root.name !== 'plist') xml.fail(`root element is <${root.name}>, not <plist>`, root.offset);
    if (root.empty) xml.fail('<plist> holds no value', root.offset);
    this.skipBetweenElements();
    const value = this.parseValue(0);
    this.skipBetweenElements();
    xml.readEndTag('plist');
    xml.skipMisc();
    if (!xml.atEnd()) xml.fail('content after the root element');
    return value;
  }

  private parseValue(depth: number): PlistValue {
    const xml = this.xml;
    if (xml.startsWith('</') || !xml.startsWith('<')) xml.fail('expected a value element');
    const tag = xml.readStartTag();
    this.budget.spend(` (offset ${tag.offset})`);
    switch (tag.name) {
      case 'dict':
        this.budget.enter(depth + 1, ` (offset ${tag.offset})`);
        return tag.empty ? {} : this.parseDict(depth + 1);
      case 'array':
        this.budget.enter(depth + 1, ` (offset ${tag.offset})`);
        return tag.empty ? [] : this.parseArray(depth + 1);
      case 'true':
      case 'false':
        if (!tag.empty) {
          this.skipBetweenElements();
          xml.readEndTag(tag.name);
        }
        return tag.name === 'true';
      case 'string':
        return this.leafText(tag.name, tag.empty);
      case 'integer':
        return this.scalar(tag, readInteger(this.leafText(tag.name, tag.empty)), 'an integer in the 64-bit range');
      case 'real': {
        const real = this.scalar(tag, readReal(this.leafText(tag.name, tag.empty)), 'a real number');
        return this.preserveReals ? new PlistReal(real) : real;
      }
      case 'date':
        return this.scalar(tag, readDate(this.leafText(tag.name, tag.empty)), 'an ISO 8601 UTC date');
      case 'data':
        return this.scalar(tag, readData(this.leafText(tag.name, tag.empty)), 'base64');
      default:
        return xml.fail(`<${tag.name}> is not a property list element`, tag.offset);
    }
  }

  private parseDict(depth: number): PlistDict {
    const xml = this.xml;
    const dict: PlistDict = {};
    for (;;) {
      this.skipBetweenElements();
      if (xml.startsWith('</')) {
        xml.readEndTag('dict');
        return dict;
      }
      const keyTag = xml.readStartTag();
      if (keyTag.name !== 'key') xml.fail(`expected <key> in <dict>, found <${keyTag.name}>`, keyTag.offset);
      this.budget.spend(` (offset ${keyTag.offset})`);
      const key = this.leafText('key', keyTag.empty);
      if (Object.hasOwn(dict, key)) xml.fail('duplicate key in <dict>', keyTag.offset);
      this.skipBetweenElements();
      setDictEntry(dict, key, this.parseValue(depth));
    }
  }

  private parseArray(depth: number): PlistValue[] {
    const xml = this.xml;
    const array: PlistValue[] = [];
    for (;;) {
      this.skipBetweenElements();
      if (xml.startsWith('</')) {
        xml.readEndTag('array');
        return array;
      }
      array.push(this.parseValue(depth));
    }
  }

  private leafText(name: string, empty: boolean): string {
    if (empty) return '';
    const text = this.xml.readText();
    this.xml.readEndTag(name);
    return text;
  }

  private scalar<T>(tag: { name: string; offset: number }, value: T | undefined, expected: string): T {
    if (value === undefined) this.xml.fail(`<${tag.name}> does not hold ${expected}`, tag.offset);
    return value;
  }

  /** Only whitespace and comments may separate elements in <plist>, <dict> and <array>. */
  private skipBetweenElements(): void {
    this.xml.skipMisc();
    if (!this.xml.startsWith('<')) {
      if (this.xml.atEnd()) this.xml.fail('unexpected end of document');
      this.xml.fail('text outside a value element');
    }
    if (this.xml.startsWith('<![CDATA[')) this.xml.fail('CDATA outside a value element');
    if (this.xml.startsWith('<!')) this.xml.fail('declarations inside the document are refused');
  }
}
