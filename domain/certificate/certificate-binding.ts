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
  /** From the certificate itself (lower-case hex, ISO-8601): certificates issued outside SCEP have no other record. */
  readonly serialNumber?: string;
  readonly notAfter?: string;
  readonly at: string;
}

/** The device moved to a new certificate: this one speaks for nobody any more. */
export interface RetireCertificate {
  readonly type: 'RetireCertificate';
  readonly certificateHash: string;
  readonly udid: string;
  readonly at: string;
}

export type CertificateBound = {
  readonly type: 'CertificateBound';
  readonly data: { readonly certificateHash: string; readonly udid: string; readonly serialNumber?: string; readonly notAfter?: string; readonly boundAt: string };
};

export type CertificateRetired = {
  readonly type: 'CertificateRetired';
  readonly data: { readonly certificateHash: string; readonly udid: string; readonly retiredAt: string };
};

export type CertificateBindingCommand = BindCertificate | RetireCertificate;
export type CertificateBindingEvent = CertificateBound | CertificateRetired;

export interface CertificateBindingState {
  readonly udid?: string;
  readonly retired?: boolean;
}

export const certificateStreamId = (certificateHash: string): string => `certificate-${certificateHash}`;

export const certificateBindingDecider: Decider<CertificateBindingCommand, CertificateBindingEvent, CertificateBindingState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    if (c.type === 'RetireCertificate') {
      return s.retired || s.udid !== c.udid ? [] : [{ type: 'CertificateRetired', data: { certificateHash: c.certificateHash, udid: c.udid, retiredAt: c.at } }];
    }
    if (s.retired) throw new DomainError('certificate-retired', `certificate ${c.certificateHash} was replaced and no longer speaks for any device`);
    if (s.udid === c.udid) return [];
    if (s.udid !== undefined) throw new DomainError('certificate-bound-elsewhere', `certificate ${c.certificateHash} is bound to another device`);
    const facts = { ...(c.serialNumber !== undefined ? { serialNumber: c.serialNumber } : {}), ...(c.notAfter !== undefined ? { notAfter: c.notAfter } : {}) };
    return [{ type: 'CertificateBound', data: { certificateHash: c.certificateHash, udid: c.udid, ...facts, boundAt: c.at } }];
  },
  evolve: (s, e) => (e.type === 'CertificateRetired' ? { ...s, retired: true } : { udid: e.data.udid }),
};
