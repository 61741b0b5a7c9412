import type { Projection } from '../../projections/projection.js';
import { auditHistoryProjection } from '../../projections/audit-history.js';
import { commandRecordProjection } from '../../projections/command-record.js';
import { compliancePolicyProjection } from '../../projections/compliance-policies.js';
import { enrollmentOverview } from '../../projections/enrollment-overview.js';
import { inventoryProjection } from '../../projections/inventory.js';

/** Every read model the server keeps, in the order they are folded. */
export const READ_MODEL_PROJECTIONS: readonly Projection<object>[] = [
  inventoryProjection,
  commandRecordProjection,
  auditHistoryProjection,
  compliancePolicyProjection,
  enrollmentOverview,
] as readonly Projection<object>[];
