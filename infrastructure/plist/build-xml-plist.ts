import { PlistBuildError } from './plist-errors.js';
import { BuildPath, classifyInput } from './plist-input.js';
import type { PlistInput } from './plist-value.js';
import { formatData, formatDate, formatReal } from './xml-scalars.js';

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

// XML 1.0 cannot carry these at all, not even as character references.
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * An XML property list as Apple writes it: UTF-8, Apple's DOCTYPE, tab indentation. Whole numbers
 * become `<integer>`, other numbers and PlistReal `<real>`; dates lose their milliseconds.
 * Throws PlistBuildError for values a plist cannot hold.
 */
export function buildXmlPlist(value: PlistInput): string {
  const lines: string[] = [];
  writeValue(value, 0, 'root', lines, new BuildPath());
  return `${HEADER}${lines.join('\n')}\n</plist>\n`;
}

function writeValue(value: unknown, depth: number, where: string, lines: string[], path: BuildPath): void {
  const indent = '\t'.repeat(depth);
  const input = classifyInput(value, where);
  switch (input.type) {
    case 'string':
      lines.push(`${indent}<string>${escapeText(input.value, where)}</string>`);
      return;
    case 'integer':
      lines.push(`${indent}<integer>${input.value}</integer>`);
      return;
    case 'real':
      lines.push(`${indent}<real>${formatReal(input.value)}</real>`);
      return;
    case 'boolean':
      lines.push(`${indent}<${input.value}/>`);
      return;
    case 'date': {
      const text = formatDate(input.value);
      if (text === undefined) throw new PlistBuildError(`date at ${where} is outside years 0-9999`);
      lines.push(`${indent}<date>${text}</date>`);
      return;
    }
    case 'data':
      lines.push(`${indent}<data>${formatData(input.value)}</data>`);
      return;
    case 'array':
      if (input.value.length === 0) {
        lines.push(`${indent}<array/>`);
        return;
      }
      path.enter(input.value, where);
      lines.push(`${indent}<array>`);
      input.value.forEach((item, i) => writeValue(item, depth + 1, `${where}[${i}]`, lines, path));
      lines.push(`${indent}</array>`);
      path.leave(input.value);
      return;
    case 'dict':
      if (input.entries.length === 0) {
        lines.push(`${indent}<dict/>`);
        return;
      }
      path.enter(input.value, where);
      lines.push(`${indent}<dict>`);
      for (const [key, item] of input.entries) {
        lines.push(`${indent}\t<key>${escapeText(key, `${where} key`)}</key>`);
        writeValue(item, depth + 1, `${where}.${key}`, lines, path);
      }
      lines.push(`${indent}</dict>`);
      path.leave(input.value);
      return;
  }
}

/** `>` too, so `]]>` never appears; CR as a reference, or a reader would turn it into LF. */
function escapeText(text: string, where: string): string {
  if (NOT_IN_XML.test(text)) throw new PlistBuildError(`string at ${where} holds a control character XML cannot carry`);
  return text.replace(/[&<>\r]/g, (char) => ESCAPES[char]!);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
