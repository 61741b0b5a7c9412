import { randomUUID } from 'node:crypto';
import { fold } from '../../domain/shared/decider.js';
import {
  PUSH_CERTIFICATE_STREAM_ID,
  pushCertificateDecider,
  type PushCertificateEvent,
  type PushCertificateFacts,
} from '../../domain/push/push-certificate.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';

export type PushCertificateInstallation = PushCertificateEvent['data'];

/**
 * Records push certificate installations in the `push-certificate` stream and answers which one
 * was installed last. The topic rule lives in the decider, so it holds against a concurrent
 * installation too (the append carries the expected revision).
 */
export class PushCertificateHistory {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async lastInstalled(): Promise<PushCertificateInstallation | undefined> {
    const events = await this.store.readStream(PUSH_CERTIFICATE_STREAM_ID);
    return fold(pushCertificateDecider, events.map((e) => ({ type: e.type, data: e.data }) as PushCertificateEvent)).installed;
  }

  /**
   * Throws DomainError `push-topic-change` (another topic than the one in use, not allowed) or
   * `push-certificate-expired`. Returns the event recorded, or undefined when this certificate was
   * already the last one installed.
   */
  async recordInstallation(input: {
    certificate: PushCertificateFacts;
    topicInUse?: string;
    allowTopicChange: boolean;
    actor: Actor;
  }): Promise<PushCertificateInstallation | undefined> {
    const at = this.clock.now().toISOString();
    // A fresh id: the same certificate may rightly be installed again after another one.
    const result = await handleCommand(this.store, pushCertificateDecider, PUSH_CERTIFICATE_STREAM_ID, {
      commandId: randomUUID(),
      command: {
        type: 'InstallPushCertificate',
        certificate: input.certificate,
        ...(input.topicInUse !== undefined ? { topicInUse: input.topicInUse } : {}),
        allowTopicChange: input.allowTopicChange,
        installedBy: `${input.actor.kind}:${input.actor.id}`,
        at,
      },
      actor: input.actor,
      occurredAt: at,
    });
    return result.events[0]?.data;
  }
}
