import { randomUUID } from 'node:crypto';
import { deviceDecider, deviceStreamId, type DeviceEvent } from '../../domain/device/device.js';
import type { DeviceFacts } from '../../domain/device/device-facts.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { handleCommand, type CommandResult } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { SecretBox } from '../ports/secret-box.js';

export interface AuthenticateMessage {
  readonly udid: string;
  readonly topic: string;
  readonly certificateHash: string;
  readonly facts: DeviceFacts;
}

export interface TokenUpdateMessage {
  readonly udid: string;
  readonly topic: string;
  readonly token: Buffer;
  readonly pushMagic: string;
  readonly unlockToken?: Buffer;
}

export interface CheckOutMessage {
  readonly udid: string;
}

export const unlockTokenContext = (udid: string): string => `device/${udid}/unlock-token`;

/**
 * The enrollment slice of the check-in protocol: Authenticate, TokenUpdate and CheckOut, each
 * turned into a Device command. Secrets are sealed here, before anything reaches the domain.
 */
export class DeviceCheckIn {
  constructor(
    private readonly store: EventStore,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  authenticate(m: AuthenticateMessage): Promise<CommandResult<DeviceEvent>> {
    return this.run(m.udid, { type: 'StartEnrollment', udid: m.udid, topic: m.topic, certificateHash: m.certificateHash, facts: m.facts, at: this.now() });
  }

  tokenUpdate(m: TokenUpdateMessage): Promise<CommandResult<DeviceEvent>> {
    const context = unlockTokenContext(m.udid);
    const unlockToken = m.unlockToken ? { sealed: this.secrets.seal(m.unlockToken, context) as Sealed, fingerprint: this.secrets.fingerprint(m.unlockToken, context) } : undefined;
    return this.run(m.udid, {
      type: 'RecordTokenUpdate',
      udid: m.udid,
      topic: m.topic,
      pushToken: m.token.toString('hex'),
      pushMagic: m.pushMagic,
      ...(unlockToken ? { unlockToken } : {}),
      at: this.now(),
    });
  }

  checkOut(m: CheckOutMessage): Promise<CommandResult<DeviceEvent>> {
    return this.run(m.udid, { type: 'CheckOut', udid: m.udid, at: this.now() });
  }

  private run(udid: string, command: Parameters<typeof deviceDecider.decide>[0]): Promise<CommandResult<DeviceEvent>> {
    return handleCommand(this.store, deviceDecider, deviceStreamId(udid), {
      commandId: randomUUID(),
      command,
      actor: { kind: 'device', id: udid },
      occurredAt: command.at,
    });
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
