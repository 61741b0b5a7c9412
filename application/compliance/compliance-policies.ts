import { randomUUID } from 'node:crypto';
import { compliancePolicyDecider, type CompliancePolicyCommand } from '../../domain/compliance-policy/compliance-policy.js';
import { compliancePolicyStreamId, isPolicyId, POLICY_STREAM_PREFIX, requirePolicyId } from '../../domain/compliance-policy/policy-id.js';
import { foldPolicyDocuments, type PolicyDocument } from '../../projections/compliance-policies.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore, Position, RecordedEvent } from '../ports/event-store.js';

/** A new policy. Rules and scope as people wrote them (parsed JSON): the domain validates them. */
export interface PolicyDefinition {
  readonly name: string;
  readonly description?: string;
  readonly rules: unknown;
  /** Defaults to every enrolled device. */
  readonly scope?: unknown;
}

/** What to change; fields left out stay as they are, an empty description removes it. */
export interface PolicyChanges {
  readonly name?: string;
  readonly description?: string;
  readonly rules?: unknown;
  readonly scope?: unknown;
}

export interface PolicyWriteOptions {
  /** The revision the caller last read (If-Match): refused with a ConcurrencyError when it moved on. */
  readonly expectedRevision?: number;
  /** Stable across retries of one request, so a repeat is recognised. */
  readonly commandId?: string;
}

type WithoutEnvelope<C> = C extends unknown ? Omit<C, 'type' | 'policyId' | 'by' | 'at'> : never;

const by = (actor: Actor) => `${actor.kind}:${actor.id}`;
const READ_PAGE = 5000;

/**
 * Compliance policies: define, change and retire them. Every change is an event on the policy's
 * stream, so the CLI and a running server share them at once. `get` and `list` fold the streams
 * with the read model's own projection, so they show exactly what the read model will hold.
 */
export class CompliancePolicies {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** True when defined now; false when it existed already with this very content. */
  define(policyId: string, definition: PolicyDefinition, actor: Actor, options: PolicyWriteOptions = {}): Promise<boolean> {
    const { name, description, rules, scope } = definition;
    return this.run(policyId, { type: 'DefineCompliancePolicy', name, ...(description !== undefined ? { description } : {}), rules, scope: scope ?? { type: 'all' } }, actor, options);
  }

  /** True when something changed. */
  change(policyId: string, changes: PolicyChanges, actor: Actor, options: PolicyWriteOptions = {}): Promise<boolean> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as PolicyChanges;
    return this.run(policyId, { type: 'ChangeCompliancePolicy', ...defined }, actor, options);
  }

  /** True when retired now; false when it was retired already. */
  retire(policyId: string, actor: Actor, options: PolicyWriteOptions = {}): Promise<boolean> {
    return this.run(policyId, { type: 'RetireCompliancePolicy' }, actor, options);
  }

  /** The policy, retired or not; undefined when it was never defined. */
  async get(policyId: string): Promise<PolicyDocument | undefined> {
    return (await this.versioned(policyId))?.policy;
  }

  /** The policy and the revision of its stream (an ETag). */
  async versioned(policyId: string): Promise<{ policy: PolicyDocument; revision: number } | undefined> {
    if (!isPolicyId(policyId)) return undefined;
    const events = await this.store.readStream(compliancePolicyStreamId(policyId));
    const policy = foldPolicyDocuments(events).get(policyId);
    return policy ? { policy, revision: events[events.length - 1]!.revision } : undefined;
  }

  /** Every policy by id; retired ones only when asked. Reads every event: for the CLI, not for requests. */
  async list(options: { includeRetired?: boolean } = {}): Promise<PolicyDocument[]> {
    const events: RecordedEvent[] = [];
    let after: Position | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: READ_PAGE });
      if (page.length === 0) break;
      for (const event of page) if (event.streamId.startsWith(POLICY_STREAM_PREFIX)) events.push(event);
      after = page[page.length - 1]!.position;
    }
    return [...foldPolicyDocuments(events).values()]
      .filter((p) => options.includeRetired === true || !p.retired)
      .sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0));
  }

  /** DomainErrors (an invalid rule, an unknown policy…) propagate. */
  private async run(policyId: string, command: WithoutEnvelope<CompliancePolicyCommand>, actor: Actor, options: PolicyWriteOptions): Promise<boolean> {
    // Before the stream is read: the id names it.
    requirePolicyId(policyId);
    const at = this.clock.now().toISOString();
    const full = { ...command, policyId, by: by(actor), at } as CompliancePolicyCommand;
    const result = await handleCommand(this.store, compliancePolicyDecider, compliancePolicyStreamId(policyId), { commandId: options.commandId ?? randomUUID(), command: full, actor, occurredAt: at }, options.expectedRevision !== undefined ? { expectedRevision: options.expectedRevision } : {});
    return result.events.length > 0 && !result.replayed;
  }
}
