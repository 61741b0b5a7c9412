import type { JsonObject } from '../../shared/json.js';
import { bounded, isReportObject, parseDictionary, sortEntries, type DataDigest, type ParseContext } from './parse-shape.js';
import { arrayOf, boolean, data, dictionary, text, type DictionaryShape } from './shape.js';

export type CertificateListItem = {
  readonly CommonName?: string;
  readonly IsIdentity?: boolean;
  /** The DER certificate, reduced to its digest: the list is inventory, not a certificate store. */
  readonly Data: DataDigest;
  /** The certificate's notAfter (ISO 8601), when the caller can read certificates. */
  readonly notAfter?: string;
};

export type CertificateListResult = { readonly requestType: 'CertificateList'; readonly CertificateList: CertificateListItem[]; readonly truncated?: true };

const MAX_CERTIFICATES = 2000;
const ITEM = dictionary({ CommonName: text(255), IsIdentity: boolean, Data: data }, ['Data']);

export const CERTIFICATE_LIST_REPORT: DictionaryShape = dictionary({ CertificateList: arrayOf(ITEM, MAX_CERTIFICATES) }, ['CertificateList']);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Reads a certificate's expiry; supplied by the caller because the domain does not parse X.509. */
export type CertificateNotAfter = (dataBase64: string) => string | undefined;

function notAfterOf(raw: Record<string, unknown>, read: CertificateNotAfter | undefined): string | undefined {
  const der = raw['Data'];
  if (read === undefined || typeof der !== 'string') return undefined;
  try {
    const value = read(der);
    return typeof value === 'string' && ISO_DATE.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function parseCertificateList(report: Record<string, unknown>, ctx: ParseContext, readNotAfter?: CertificateNotAfter): CertificateListItem[] | undefined {
  const list = report['CertificateList'];
  if (!Array.isArray(list)) return undefined;
  const parsed = new Map<JsonObject, Record<string, unknown>>();
  for (const raw of list) {
    const item = parseDictionary(ITEM, raw, ctx);
    if (item !== undefined && isReportObject(raw)) parsed.set(item, raw);
  }
  // Expiry is read only for the certificates kept: X.509 parsing is the costly part.
  const kept = bounded(sortEntries([...parsed.keys()], (item) => (item['Data'] as DataDigest).sha256), MAX_CERTIFICATES, ctx);
  return kept.map((item) => {
    const notAfter = notAfterOf(parsed.get(item)!, readNotAfter);
    return notAfter === undefined ? item : { ...item, notAfter };
  }) as unknown as CertificateListItem[];
}
