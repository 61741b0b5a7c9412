import { expect } from 'chai';
import { enrollmentDecider, type EnrollmentCommand, type EnrollmentEvent, type EnrollmentState } from '../../domain/enrollment/enrollment.js';
import { DomainError } from '../../domain/shared/domain-error.js';

const AT = '2026-01-01T00:00:00.000Z';
const ID = 'e1';

function run(commands: EnrollmentCommand[]): { state: EnrollmentState; events: EnrollmentEvent[] } {
  let state = enrollmentDecider.initialState();
  const events: EnrollmentEvent[] = [];
  for (const c of commands) {
    for (const e of enrollmentDecider.decide(c, state)) {
      events.push(e);
      state = enrollmentDecider.evolve(state, e);
    }
  }
  return { state, events };
}

const start: EnrollmentCommand = { type: 'StartEnrollment', enrollmentId: ID, method: 'web', user: 'alice', group: 'dev', at: AT };
const auth = (udid: string, quarantine = false, cert = 'c1'): EnrollmentCommand => ({ type: 'RecordDeviceAuthenticated', enrollmentId: ID, udid, certificateSha256: cert, quarantine, at: AT });

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('enrollment decider', () => {
  it('records the device and its user when it authenticates', () => {
    const { events } = run([start, auth('U1')]);
    expect(events.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentDeviceAuthenticated']);
    expect(events[1]!.data).to.include({ udid: 'U1', user: 'alice', group: 'dev' });
  });

  it('quarantines once, then approval or rejection decides, each once', () => {
    const q = run([start, auth('U1', true), auth('U1', true)]);
    expect(q.events.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentDeviceAuthenticated', 'EnrollmentQuarantined']);
    const approved = run([start, auth('U1', true), { type: 'ApproveEnrollment', enrollmentId: ID, approvedBy: 'admin:a', at: AT }, { type: 'ApproveEnrollment', enrollmentId: ID, approvedBy: 'admin:a', at: AT }]);
    expect(approved.events.filter((e) => e.type === 'EnrollmentApproved')).to.have.length(1);
    expect(approved.state.quarantine).to.equal('approved');
    const rejected = run([start, auth('U1', true), { type: 'RejectEnrollment', enrollmentId: ID, rejectedBy: 'admin:a', reason: 'unknown device', at: AT }]);
    expect(rejected.events.at(-1)).to.deep.include({ type: 'EnrollmentRejected' });
    expect(rejected.events.at(-1)!.data).to.include({ udid: 'U1', certificateSha256: 'c1', reason: 'unknown device' });
  });

  it('refuses approval or rejection of an enrollment that is not quarantined', () => {
    const { state } = run([start, auth('U1')]);
    expect(code(() => enrollmentDecider.decide({ type: 'ApproveEnrollment', enrollmentId: ID, approvedBy: 'a', at: AT }, state))).to.equal('not-quarantined');
    expect(code(() => enrollmentDecider.decide({ type: 'RejectEnrollment', enrollmentId: ID, rejectedBy: 'a', at: AT }, state))).to.equal('not-quarantined');
  });

  it('refuses a rejected enrollment and a second device', () => {
    const { state } = run([start, auth('U1', true), { type: 'RejectEnrollment', enrollmentId: ID, rejectedBy: 'a', at: AT }]);
    expect(code(() => enrollmentDecider.decide(auth('U1', true, 'c2'), state))).to.equal('enrollment-rejected');
    const other = run([start, auth('U1')]).state;
    expect(code(() => enrollmentDecider.decide(auth('U2'), other))).to.equal('enrollment-device-mismatch');
  });

  it('binds the OTA phase-1 device: another UDID cannot use the enrollment', () => {
    const attributes: EnrollmentCommand = { type: 'RecordDeviceAttributes', enrollmentId: ID, attributes: { udid: 'U1', product: 'iPhone15,2' }, at: AT };
    const { state, events } = run([start, attributes, attributes]);
    expect(events.filter((e) => e.type === 'EnrollmentDeviceAttributesReceived')).to.have.length(1);
    expect(code(() => enrollmentDecider.decide({ ...attributes, attributes: { udid: 'U2' } } as EnrollmentCommand, state))).to.equal('enrollment-device-mismatch');
    expect(code(() => enrollmentDecider.decide(auth('U2'), state))).to.equal('enrollment-device-mismatch');
  });

  it('serves an OTA enrollment its enrollment profile once; other profiles and other methods are not limited', () => {
    const served = (profile: 'identity' | 'mdm'): EnrollmentCommand => ({ type: 'RecordProfileServed', enrollmentId: ID, profile, signed: true, encrypted: profile === 'mdm', at: AT });
    const ota = run([{ ...start, method: 'ota' } as EnrollmentCommand, served('identity'), served('identity'), served('mdm')]);
    expect(ota.events.filter((e) => e.type === 'EnrollmentProfileServed')).to.have.length(3);
    expect(ota.state.enrollmentProfileServedAt).to.equal(AT);
    expect(code(() => enrollmentDecider.decide(served('mdm'), ota.state))).to.equal('profile-served');
    expect(run([start, served('mdm'), served('mdm')]).events.filter((e) => e.type === 'EnrollmentProfileServed')).to.have.length(2);
  });

  it('needs a started enrollment for every later step', () => {
    expect(code(() => enrollmentDecider.decide(auth('U1'), enrollmentDecider.initialState()))).to.equal('unknown-enrollment');
  });
});
