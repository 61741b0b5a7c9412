import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import forge from 'node-forge';
import plist from 'plist';
import { derToPem } from '../../infrastructure/pki/der.js';
import { NAME_OID } from '../../infrastructure/pki/distinguished-name.js';
import { issuerIdentity } from '../../infrastructure/pki/issuer-identity.js';
import { randomSerialNumber } from '../../infrastructure/pki/serial-number.js';
import { validityWindow } from '../../infrastructure/pki/validity.js';
import { issueCertificate } from '../../infrastructure/pki/x509.js';
import { pooledKeyPair, type TestCa, type TestCertificate } from './pki.js';
import { buildPkiMessage, issuedCertificate, parseCertRep, selfSignedSigner } from './scep-client-message.js';

/**
 * What an iPhone does in the OTA profile service, written for the tests with libraries independent
 * of the server's code: forge signs the answers (attached CMS SignedData) and reads the profiles,
 * the `plist` package writes the answers' property lists.
 */

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One HTTPS request trusting only `ca`, checking the name `localhost`. */
export function httpsRequest(url: string, ca: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
    const headers = { ...(options.headers ?? {}), ...(body ? { 'content-length': String(body.length) } : {}) };
    const req = request(url, { method: options.method ?? 'GET', ca, servername: 'localhost', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An attached CMS SignedData over `content`, with signed attributes, as devices send their answers. */
export function signAttachedCms(content: Buffer, signer: { certPem: string; keyPem: string }, extraCertificatesPem: readonly string[] = []): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addCertificate(signer.certPem);
  for (const pem of extraCertificatesPem) p7.addCertificate(pem);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signer.keyPem),
    certificate: signer.certPem,
    digestAlgorithm: forge.pki.oids['sha256']!,
    authenticatedAttributes: [
      { type: forge.pki.oids['contentType']!, value: forge.pki.oids['data'] },
      { type: forge.pki.oids['messageDigest']! },
      { type: forge.pki.oids['signingTime']!, value: new Date() as unknown as string },
    ],
  });
  p7.sign();
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

/** The content of a signed profile (forge reads it; the signature is openssl's to check). */
export function signedContent(der: Buffer): Buffer {
  const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(der.toString('binary'))) as unknown as { rawCapture: { content?: forge.asn1.Asn1 } };
  const node = p7.rawCapture.content;
  if (!node) throw new Error('the SignedData carries no content');
  const collect = (n: forge.asn1.Asn1): string => (typeof n.value === 'string' ? n.value : n.value.map(collect).join(''));
  return Buffer.from(collect(node), 'binary');
}

/** Opens an EnvelopedData addressed to `recipient` with its key (forge, independent of the server's sealing code). */
export function openEnvelopedData(der: Buffer, recipient: { certPem: string; keyPem: string }): Buffer {
  const envelope = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(der.toString('binary'))) as forge.pkcs7.PkcsEnvelopedData;
  const info = envelope.findRecipient(forge.pki.certificateFromPem(recipient.certPem));
  if (!info) throw new Error('the envelope is not addressed to this certificate');
  envelope.decrypt(info, forge.pki.privateKeyFromPem(recipient.keyPem) as forge.pki.rsa.PrivateKey);
  return Buffer.from((envelope.content as forge.util.ByteStringBuffer).getBytes(), 'binary');
}

/** The device's answer property list (Apple's attribute names). */
export function answerPlist(attributes: Record<string, string>): Buffer {
  return Buffer.from(plist.build(attributes), 'utf8');
}

/** A stand-in for Apple's device CA chain: a root, an intermediate CA under it, device certificates under that. */
export interface StandInAppleCa {
  readonly root: TestCa;
  readonly intermediate: TestCertificate;
  device(udid: string): TestCertificate;
}

export function standInAppleCa(root: TestCa): StandInAppleCa {
  const key = pooledKeyPair('ca');
  const intermediateDer = issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ oid: NAME_OID.commonName, value: 'Stand-in Apple iPhone Device CA' }, { oid: NAME_OID.organization, value: 'Stand-in Apple' }],
      subjectPublicKey: key.publicKey,
      validity: validityWindow(new Date(), 3650),
      profile: 'ca',
    },
    issuerIdentity(new X509Certificate(root.certPem), root.privateKey),
  );
  const intermediate = { certPem: derToPem(intermediateDer), keyPem: key.privateKeyPem, der: intermediateDer };
  const issuer = issuerIdentity(new X509Certificate(intermediate.certPem), key.privateKey);
  return {
    root,
    intermediate,
    device(udid) {
      const leaf = pooledKeyPair();
      const der = issueCertificate(
        { serialNumber: randomSerialNumber(), subject: [{ oid: NAME_OID.commonName, value: udid }], subjectPublicKey: leaf.publicKey, validity: validityWindow(new Date(), 3650), profile: 'device-identity' },
        issuer,
      );
      return { certPem: derToPem(der), keyPem: leaf.privateKeyPem, der };
    },
  };
}

/**
 * SCEP as the device's SCEP payload would run it: GetCACert for the RA, then a PKCSReq with the
 * challenge; returns the issued certificate and its key.
 */
export async function scepEnroll(scepUrl: string, ca: string, commonName: string, challenge: string): Promise<{ certPem: string; keyPem: string; status: string }> {
  const caCert = await httpsRequest(`${scepUrl}?operation=GetCACert`, ca);
  const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(caCert.body.toString('binary'))) as forge.pkcs7.PkcsSignedData;
  const ra = p7.certificates.find((c) => c.subject.getField('CN')?.value === 'MDM SCEP RA');
  if (!ra) throw new Error('GetCACert holds no RA certificate');
  const key = pooledKeyPair();
  const client = selfSignedSigner(key, commonName);
  const message = buildPkiMessage(client, forge.pki.certificateToPem(ra), { commonName, challenge });
  const answer = await httpsRequest(`${scepUrl}?operation=PKIOperation`, ca, { method: 'POST', headers: { 'content-type': 'application/x-pki-message' }, body: message });
  const rep = parseCertRep(answer.body);
  if (rep.pkiStatus !== '0') return { certPem: '', keyPem: key.privateKeyPem, status: rep.pkiStatus };
  return { certPem: issuedCertificate(rep.content, client), keyPem: key.privateKeyPem, status: rep.pkiStatus };
}
