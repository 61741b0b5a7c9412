/** The property-list codec for the MDM device endpoints: parse what devices PUT, build what we answer. */
export { parsePlist } from './parse-plist.js';
export { buildXmlPlist } from './build-xml-plist.js';
export { buildBinaryPlist } from './build-binary-plist.js';
export { PlistBuildError, PlistParseError, PlistShapeError } from './plist-errors.js';
export { DEFAULT_PLIST_LIMITS, type PlistLimits, type PlistParseOptions } from './plist-limits.js';
export {
  PlistReal,
  isPlistDict,
  plistTypeName,
  type PlistDict,
  type PlistInput,
  type PlistTypeName,
  type PlistValue,
} from './plist-value.js';
export * from './plist-accessors.js';
