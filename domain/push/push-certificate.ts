import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * The MDM push certificate's history: one stream for the server, one event per installation, so
 * renewals and expiry dates have an audit trail. Devices can only be woken under the topic they
 * enrolled with, so a certificate for another topic is refused unless the operator says that every
 * device will re-enroll.
 */
export interface PushCertificateFacts {
  /** The subject UID, `com.apple.mgmt.External.<uuid>`. */
  readonly topic: string;
  readonly subject: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  /** SHA-256 of the certificate DER, lower-case hex. */
  readonly sha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export type PushCertificateCommand = {
  readonly type: 'InstallPushCertificate';
  readonly certificate: PushCertificateFacts;
  /**
   * The topic of the certificate the server uses now, when it is known outside this history (a
   * certificate given by configuration); otherwise the last installed one's topic counts.
   */
  readonly topicInUse?: string;
  readonly allowTopicChange: boolean;
  readonly installedBy: string;
  readonly at: string;
};

export type PushCertificateEvent = {
  readonly type: 'PushCertificateInstalled';
  readonly data: PushCertificateFacts & {
    readonly installedBy: string;
    readonly installedAt: string;
    /** Present only when the operator allowed a topic change: the topic every device enrolled under. */
    readonly replacedTopic?: string;
  };
};

export interface PushCertificateState {
  readonly installed?: PushCertificateEvent['data'];
}

export const PUSH_CERTIFICATE_STREAM_ID = 'push-certificate';

/** The topic devices enrolled under: the certificate in use, else the last one recorded. */
export function topicInUse(command: Pick<PushCertificateCommand, 'topicInUse'>, state: PushCertificateState): string | undefined {
  return command.topicInUse ?? state.installed?.topic;
}

export const pushCertificateDecider: Decider<PushCertificateCommand, PushCertificateEvent, PushCertificateState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    const { certificate } = c;
    if (!(certificate.notAfter > c.at)) {
      throw new DomainError('push-certificate-expired', `the push certificate for ${certificate.topic} expired on ${certificate.notAfter}: renew it at identity.apple.com`);
    }
    const current = topicInUse(c, s);
    const changesTopic = current !== undefined && current !== certificate.topic;
    if (changesTopic && !c.allowTopicChange) {
      throw new DomainError(
        'push-topic-change',
        `the push certificate is for topic ${certificate.topic}, but devices are enrolled under ${current}: ` +
          `they can only be woken under the topic they enrolled with, so every enrolled device would be orphaned. ` +
          `Renew the certificate for ${current} instead (same Apple ID, "Renew" at identity.apple.com), ` +
          `or, if every device is to re-enroll, allow the topic change explicitly`,
      );
    }
    // Installing the same certificate again (a retry) records nothing new.
    if (s.installed?.sha256 === certificate.sha256 && !changesTopic) return [];
    return [{
      type: 'PushCertificateInstalled',
      data: { ...certificate, installedBy: c.installedBy, installedAt: c.at, ...(changesTopic ? { replacedTopic: current } : {}) },
    }];
  },
  evolve: (s, e) => ({ ...s, installed: e.data }),
};
