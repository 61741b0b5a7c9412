import type { Clock } from '../ports/clock.js';
import { InvalidQueryError } from '../ports/document-store.js';
import { evaluateCompliance, summarizeCompliance, type ComplianceSummary, type DeviceCompliance, type DeviceComplianceStatus } from '../../projections/compliance-evaluation.js';
import { policiesInForce, type PolicyDocument } from '../../projections/compliance-policies.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { INVENTORY } from './inventory-queries.js';
import type { Consistency, ReadModels } from './read-models.js';

export const COMPLIANCE_POLICIES = 'compliance-policies';

const STATUSES: readonly DeviceComplianceStatus[] = ['compliant', 'non-compliant', 'unknown', 'not-applicable'];

export interface DeviceComplianceEntry extends DeviceCompliance {
  readonly udid: string;
  readonly deviceName?: string;
  readonly serialNumber?: string;
}

export interface CompliancePage {
  readonly devices: readonly DeviceComplianceEntry[];
  readonly nextCursor?: string;
  readonly stale?: true;
}

/**
 * Compliance is evaluated when asked, from the stored inventory, the policies in force and the
 * current time: rules relative to "now" (days since last seen, certificates expiring) stay exact,
 * and a rebuilt read model answers exactly as the live one did. Counts are computed, not kept.
 */
export class ComplianceQueries {
  constructor(
    private readonly readModels: ReadModels,
    private readonly clock: Clock,
  ) {}

  async policies(): Promise<PolicyDocument[]> {
    return policiesInForce(await this.readModels.all<PolicyDocument>(COMPLIANCE_POLICIES)).sort((a, b) => a.policyId.localeCompare(b.policyId));
  }

  async device(udid: string, consistency?: Consistency): Promise<DeviceComplianceEntry | undefined> {
    await this.readModels.settle(consistency, [INVENTORY, COMPLIANCE_POLICIES]);
    const doc = (await this.readModels.get<InventoryDocument>(INVENTORY, udid))?.doc;
    if (!doc || !('enrollmentState' in doc)) return undefined;
    return entry(doc, evaluateCompliance(doc, await this.policies(), this.clock.now()));
  }

  /**
   * Devices with their compliance, by UDID, optionally only those in `status` (for a policy, when
   * `policyId` is given). The cursor is the last UDID of the previous page.
   */
  async list(query: { status?: DeviceComplianceStatus; policyId?: string; limit?: number; cursor?: string; consistency?: Consistency } = {}): Promise<CompliancePage> {
    if (query.status !== undefined && !STATUSES.includes(query.status)) throw new InvalidQueryError(`status must be one of ${STATUSES.join(', ')}`);
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidQueryError('limit must be a whole number from 1 to 1000');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const fresh = await this.readModels.settle(query.consistency, [INVENTORY, COMPLIANCE_POLICIES]);
    const policies = await this.policies();
    if (query.policyId !== undefined && !policies.some((p) => p.policyId === query.policyId)) throw new InvalidQueryError(`no policy ${JSON.stringify(query.policyId)} is in force`);
    const now = this.clock.now();
    const devices: DeviceComplianceEntry[] = [];
    let last: string | undefined = after;
    for (;;) {
      const page = await this.readModels.find<InventoryDocument>(INVENTORY, {
        filter: { $and: [{ enrollmentState: { $exists: true } }, ...(last !== undefined ? [{ udid: { $gt: last } }] : [])] },
        sort: [{ path: 'udid', direction: 'asc' }],
        limit: 500,
      });
      for (const { doc } of page.items) {
        last = doc.udid;
        const evaluation = evaluateCompliance(doc, policies, now);
        const status = query.policyId === undefined ? evaluation.status : (evaluation.policies.find((p) => p.policyId === query.policyId)?.status ?? 'not-applicable');
        if (query.status === undefined || status === query.status) devices.push(entry(doc, evaluation));
        if (devices.length === limit) return { devices, nextCursor: encodeCursor(doc.udid), ...(fresh ? {} : { stale: true as const }) };
      }
      if (!page.nextCursor) return { devices, ...(fresh ? {} : { stale: true as const }) };
    }
  }

  /** Counts per overall status and per policy, over every device. */
  async summary(consistency?: Consistency): Promise<ComplianceSummary & { readonly evaluatedAt: string; readonly stale?: true }> {
    const fresh = await this.readModels.settle(consistency, [INVENTORY, COMPLIANCE_POLICIES]);
    const policies = await this.policies();
    const now = this.clock.now();
    const devices = await this.readModels.all<InventoryDocument>(INVENTORY, { enrollmentState: { $exists: true } });
    const evaluations: DeviceCompliance[] = devices.map((doc) => evaluateCompliance(doc, policies, now));
    return { ...summarizeCompliance(evaluations, policies), evaluatedAt: now.toISOString(), ...(fresh ? {} : { stale: true as const }) };
  }
}

const entry = (doc: InventoryDocument, evaluation: DeviceCompliance): DeviceComplianceEntry => ({
  udid: doc.udid,
  ...(doc.deviceName ? { deviceName: doc.deviceName } : {}),
  ...(doc.serialNumber ? { serialNumber: doc.serialNumber } : {}),
  ...evaluation,
});

const encodeCursor = (udid: string): string => Buffer.from(JSON.stringify({ after: udid })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after.length > 0 && parsed.after.length <= 256) return parsed.after;
  } catch {
    // Reported below.
  }
  throw new InvalidQueryError('cursor is not one this query returned');
}
