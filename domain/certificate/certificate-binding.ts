import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * One stream per identity certificate (`certificate-<sha256>`): the device it is bound to. Binding
 * through its own stream makes "a certificate belongs to one device" hold under concurrency: two
 * devices racing to bind the same certificate cannot both win.
 */
export interface BindCertificate {
  readonly type: 'BindCertificate';
  readonly certificateHash: string;
  readonly udid: string;
  readonly at: string;
}

export type CertificateBound = {
  readonly type: 'CertificateBound';
  readonly data: { readonly certificateHash: string; readonly udid: string; readonly boundAt: string };
};

export interface CertificateBindingState {
  readonly udid?: string;
}

export const certificateStreamId = (certificateHash: string): string => `certificate-${certificateHash}`;

export const certificateBindingDecider: Decider<BindCertificate, CertificateBound, CertificateBindingState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    if (s.udid === c.udid) return [];
    if (s.udid !== undefined) throw new DomainError('certificate-bound-elsewhere', `certificate ${c.certificateHash} is bound to another device`);
    return [{ type: 'CertificateBound', data: { certificateHash: c.certificateHash, udid: c.udid, boundAt: c.at } }];
  },
  evolve: (_s, e) => ({ udid: e.data.udid }),
};
