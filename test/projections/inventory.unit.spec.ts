import { expect } from 'chai';
import { RESULT_KINDS, type ResultKind } from '../../domain/device/queue/events.js';
import { commandRecordProjection, type CommandRecord } from '../../projections/command-record.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { inventoryProjection, isInventoryDocument, type InventoryRecord } from '../../projections/inventory.js';
import { CERT_1, CERT_2, DeviceScript, FACTS, REPORTS, TOPIC, UDID } from './device-script.js';
import { EventLog, expectPlainJson, fold, t, underClock } from './event-log.js';

function inventoryOf(log: EventLog, udid = UDID): InventoryDocument {
  const doc = fold(inventoryProjection, log.events).get(udid);
  expect(doc, `inventory of ${udid}`).to.not.equal(undefined);
  expect(isInventoryDocument(doc!), 'a full inventory document').to.equal(true);
  expectPlainJson(doc);
  return doc as InventoryDocument;
}

const member = (log: EventLog, type: 'DeviceGroupMemberAdded' | 'DeviceGroupMemberRemoved', name: string, at: string, udid = UDID) =>
  log.append(`device-group-${name}`, type, type === 'DeviceGroupMemberAdded' ? { name, udid, addedBy: 'admin:alice', addedAt: at } : { name, udid, removedBy: 'admin:alice', removedAt: at }, { occurredAt: at, actor: { kind: 'admin', id: 'alice' } });

/** The device from Authenticate through a full inventory refresh. */
function enrolledWithInventory(): DeviceScript {
  const device = new DeviceScript().authenticate(t(0), { enrollment: { enrollmentId: 'enr-1', user: 'alice', group: 'staff' } }).tokenUpdate(t(1));
  let at = 10;
  for (const kind of ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList', 'ProvisioningProfileList'] as const) {
    device.report(kind, at);
    at += 10;
  }
  return device;
}

describe('inventory projection', () => {
  it('describes an enrolled device from its Authenticate, TokenUpdate and reports', () => {
    const doc = inventoryOf(enrolledWithInventory().log);
    expect(doc).to.deep.include({
      udid: UDID, enrollmentState: 'enrolled', enrollmentId: 'enr-1', user: 'alice', enrollmentGroup: 'staff', certificateHash: CERT_1,
      firstSeenAt: t(0), enrolledAt: t(1), pushState: 'active', pushTopic: TOPIC, pushUpdatedAt: t(1),
      serialNumber: 'F2LXK0XXJGH5', deviceName: 'Alice’s iPhone', model: 'MQ9T3LL/A', modelName: 'iPhone', productName: 'iPhone15,2',
      osVersion: '17.4.1', osVersionKey: '00017.00004.00001', buildVersion: '21E236', capacityGb: 128, availableCapacityGb: 64.5, batteryLevel: 0.8,
      imei: '35 320008 123456 1', iccid: '8901 4103 2111 1111 1112', modemFirmwareVersion: '1.51.00', wifiMac: 'a4:83:e7:00:00:01', bluetoothMac: 'a4:83:e7:00:00:02',
      currentCarrierNetwork: 'Carrier', subscriberCarrierNetwork: 'Carrier', carrierSettingsVersion: '57.0', phoneNumber: '+1 555 555 0100',
      dataRoamingEnabled: false, voiceRoamingEnabled: true, supervised: true, informationReportedAt: t(12),
      pendingCommands: 0, failedCommands: 0, lastCommandAt: t(62), lastSeenAt: t(62), groups: [], groupsKey: ',',
      appCount: 3, profileCount: 2, nextCertificateExpiry: '2027-02-01T00:00:00.000Z', updatedAt: t(62),
    });
    expect(doc.security).to.deep.equal({ passcodePresent: true, passcodeCompliant: true, passcodeCompliantWithProfiles: false, hardwareEncryptionCaps: 3, reportedAt: t(22) });
    expect(doc.profiles).to.deep.equal({
      items: [
        { identifier: 'com.example.mdm', uuid: '4F1E2D3C-0000-4000-8000-000000000002', displayName: 'MDM', managed: true },
        { identifier: 'com.example.wifi', uuid: '4F1E2D3C-0000-4000-8000-000000000001', displayName: 'Office Wi-Fi', organization: 'Example', managed: true },
      ],
      reportedAt: t(32),
    });
    expect(doc.apps?.items).to.deep.equal([
      { identifier: 'com.apple.Pages', name: 'Pages', version: '7310', shortVersion: '13.1', bundleSize: 512_000_000 },
      { identifier: 'com.example.notes', name: 'Notes Pro', shortVersion: '2.0' },
    ]);
    expect(doc.certificates?.items.map((c) => [c.commonName, c.isIdentity, c.notAfter, c.sha256?.length])).to.have.deep.members([
      [UDID, true, '2027-11-01T09:00:00.000Z', 64], ['Example Root CA', false, '2036-01-01T00:00:00.000Z', 64], ['VPN', true, '2027-02-01T00:00:00.000Z', 64],
    ]);
    expect(doc.provisioningProfiles).to.deep.equal({ items: [{ name: 'Example In-House', uuid: '0B9E7C52-0000-4000-8000-000000000003', expiresAt: '2027-03-01T00:00:00Z' }], reportedAt: t(62) });
    expect(doc.factsChangedAt).to.deep.equal({ osVersion: t(12), roaming: t(12), passcode: t(22), encryption: t(22), profiles: t(32), apps: t(42), certificates: t(52) });
  });

  it('handles every kind of result: each report is contact, and the kinds the document has fields for fill them', () => {
    const fills: { readonly [K in ResultKind]: (doc: InventoryDocument) => unknown } = {
      DeviceInformation: (d) => d.informationReportedAt,
      SecurityInfo: (d) => d.security,
      ProfileList: (d) => d.profiles,
      InstalledApplicationList: (d) => d.apps,
      CertificateList: (d) => d.certificates,
      ProvisioningProfileList: (d) => d.provisioningProfiles,
      // No field in the inventory document: only contact.
      ManagedApplicationList: () => 'no field',
      Restrictions: () => 'no field',
    };
    for (const kind of RESULT_KINDS) {
      expect(inventoryProjection.handles.has(`${kind}Reported`), kind).to.equal(true);
      const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).report(kind, 500);
      const reported = device.log.events.filter((e) => e.type === `${kind}Reported`);
      expect(reported, kind).to.have.length(1);
      const doc = inventoryOf(device.log);
      expect(doc.lastSeenAt, kind).to.equal(t(502));
      expect(fills[kind](doc), kind).to.not.equal(undefined);
    }
  });

  it('replaces a reported list whole, and moves factsChangedAt only when the list changed', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).report('ProfileList', 10);
    const [wifi, mdm] = REPORTS.ProfileList['ProfileList'] as object[];
    const vpn = { PayloadIdentifier: 'com.example.vpn', PayloadUUID: '4F1E2D3C-0000-4000-8000-000000000009', IsManaged: true };
    device.report('ProfileList', 20, { ProfileList: [mdm!, vpn] } as never);
    let doc = inventoryOf(device.log);
    expect(doc.profiles?.items.map((p) => p.identifier)).to.deep.equal(['com.example.mdm', 'com.example.vpn']);
    expect(doc.profileCount).to.equal(2);
    expect(doc.factsChangedAt.profiles).to.equal(t(22));

    // The same profiles in another order are the same list: not recorded again, nothing changes.
    device.report('ProfileList', 30, { ProfileList: [vpn, mdm!] } as never);
    expect(device.log.events.filter((e) => e.type === 'ProfileListReported')).to.have.length(2);
    expect(inventoryOf(device.log).factsChangedAt.profiles).to.equal(t(22));

    // Back to the first list: a change again.
    device.report('ProfileList', 40, { ProfileList: [wifi!, mdm!] } as never);
    doc = inventoryOf(device.log);
    expect(doc.profiles?.items.map((p) => p.identifier)).to.deep.equal(['com.example.mdm', 'com.example.wifi']);
    expect([doc.factsChangedAt.profiles, doc.profiles?.reportedAt]).to.deep.equal([t(42), t(42)]);
  });

  it('merges a DeviceInformation that answered only some queries, and keeps facts it did not answer', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).report('DeviceInformation', 10);
    device.report('DeviceInformation', 20, { QueryResponses: { BatteryLevel: -1, OSVersion: '17.4.1' } });
    let doc = inventoryOf(device.log);
    expect(doc.serialNumber).to.equal('F2LXK0XXJGH5');
    expect(doc.batteryLevel, 'an unknown level (-1) is no level').to.equal(undefined);
    expect(doc.factsChangedAt.osVersion, 'the same OS version is no change').to.equal(t(12));
    expect(doc.informationReportedAt).to.equal(t(22));

    device.report('DeviceInformation', 30, { QueryResponses: { OSVersion: '18.0', DataRoamingEnabled: false } });
    doc = inventoryOf(device.log);
    expect([doc.osVersion, doc.osVersionKey, doc.factsChangedAt.osVersion]).to.deep.equal(['18.0', '00018.00000.00000', t(32)]);
    expect(doc.factsChangedAt.roaming, 'roaming did not change').to.equal(t(12));
  });

  it('counts pending and failed commands as queued minus finished, whatever the order of outcomes', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    const lock = device.queue('DeviceLock', t(10));
    const apps = device.queue('InstalledApplicationList', t(11));
    const info = device.queue('DeviceInformation', t(12));
    device.idle(t(13)).notNow(lock, t(14));
    device.idle(t(15)).fail(lock, t(16));
    let doc = inventoryOf(device.log);
    expect([doc.pendingCommands, doc.failedCommands, doc.lastCommandAt]).to.deep.equal([2, 1, t(16)]);

    device.log.device({ type: 'CancelCommand', udid: UDID, commandUuid: info, cancelledBy: 'admin:bob', at: t(20) }, { kind: 'admin', id: 'bob' });
    doc = inventoryOf(device.log);
    expect([doc.pendingCommands, doc.lastSeenAt], 'an admin cancelling is no contact with the device').to.deep.equal([1, t(16)]);
    expect(apps).to.be.a('string');

    // The counters agree with the command records of the same events.
    const records = [...fold(commandRecordProjection, device.log.events).values()];
    const unfinished = (r: CommandRecord) => ['queued', 'delivered', 'deferred'].includes(r.status);
    expect(doc.pendingCommands).to.equal(records.filter(unfinished).length);
    expect(doc.failedCommands).to.equal(records.filter((r) => r.status === 'failed').length);
  });

  it('never counts below zero when a finish arrives for a command it never saw queued', () => {
    const log = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).log;
    log.append(`device-${UDID}`, 'CommandAcknowledged', { commandUuid: 'unknown', acknowledgedAt: t(2) });
    expect(inventoryOf(log).pendingCommands).to.equal(0);
  });

  it('gives the same documents folded in one go or resumed from stored documents at any point', () => {
    const events = enrolledWithInventory().checkOut(t(100)).log.events;
    const whole = fold(inventoryProjection, events);
    for (let cut = 1; cut < events.length; cut++) {
      const resumed = fold(inventoryProjection, events.slice(cut), fold(inventoryProjection, events.slice(0, cut)));
      expect(resumed, `resumed after event ${cut}`).to.deep.equal(whole);
    }
  });

  it('starts a clean enrollment when a checked-out device enrolls again, keeping what it is', () => {
    const device = enrolledWithInventory();
    device.queue('DeviceLock', t(70));
    device.queue('ProfileList', t(71));
    device.checkOut(t(80));
    let doc = inventoryOf(device.log);
    expect(doc).to.deep.include({ enrollmentState: 'checked-out', checkedOutAt: t(80), pushState: 'none', pushUpdatedAt: t(80), pendingCommands: 0, lastSeenAt: t(80) });
    expect(doc.pushTopic).to.equal(undefined);

    device.authenticate(t(90), { certificateHash: CERT_2, enrollment: { enrollmentId: 'enr-2', user: 'bob' }, facts: { ...FACTS, osVersion: '18.1' } });
    doc = inventoryOf(device.log);
    expect(doc).to.deep.include({ enrollmentState: 'authenticated', enrollmentId: 'enr-2', user: 'bob', certificateHash: CERT_2, firstSeenAt: t(0), osVersion: '18.1', pushState: 'none' });
    for (const gone of ['enrollmentGroup', 'enrolledAt', 'checkedOutAt'] as const) expect(doc[gone], gone).to.equal(undefined);
    expect(doc.serialNumber).to.equal('F2LXK0XXJGH5');
    expect(doc.factsChangedAt.osVersion).to.equal(t(90));

    device.tokenUpdate(t(91), 'ffee');
    doc = inventoryOf(device.log);
    expect(doc).to.deep.include({ enrollmentState: 'enrolled', enrolledAt: t(91), pushState: 'active', pushTopic: TOPIC, pendingCommands: 0 });
  });

  it('keeps group memberships made before the device ever enrolled', () => {
    const log = new EventLog();
    member(log, 'DeviceGroupMemberAdded', 'sales', t(0));
    member(log, 'DeviceGroupMemberAdded', 'emea', t(1));
    member(log, 'DeviceGroupMemberAdded', 'sales', t(2));
    let placeholder = fold(inventoryProjection, log.events).get(UDID) as InventoryRecord;
    expect(placeholder).to.deep.equal({ udid: UDID, groups: ['emea', 'sales'], groupsKey: ',emea,sales,', updatedAt: t(1) });
    expect(isInventoryDocument(placeholder)).to.equal(false);

    new DeviceScript(log).authenticate(t(10)).tokenUpdate(t(11));
    member(log, 'DeviceGroupMemberAdded', 'beta', t(12));
    member(log, 'DeviceGroupMemberRemoved', 'sales', t(13));
    const doc = inventoryOf(log);
    expect(doc).to.deep.include({ groups: ['beta', 'emea'], groupsKey: ',beta,emea,', enrollmentState: 'enrolled', firstSeenAt: t(10), lastSeenAt: t(11), updatedAt: t(13) });

    // A device that never enrolled leaves the inventory with its last group.
    const other = 'UDID-NEVER-ENROLLED';
    member(log, 'DeviceGroupMemberAdded', 'sales', t(20), other);
    placeholder = fold(inventoryProjection, log.events).get(other)!;
    expect(placeholder.groups).to.deep.equal(['sales']);
    member(log, 'DeviceGroupMemberRemoved', 'sales', t(21), other);
    expect(fold(inventoryProjection, log.events).has(other)).to.equal(false);
  });

  it('follows quarantine: held through TokenUpdate, enrolled once approved; a rejected device stays rejected while it leaves', () => {
    const held = new DeviceScript().authenticate(t(0), { enrollment: { enrollmentId: 'enr-q' }, quarantine: true }).tokenUpdate(t(1));
    expect(inventoryOf(held.log)).to.deep.include({ enrollmentState: 'quarantined', pushState: 'active', enrolledAt: t(1) });
    held.log.device({ type: 'ApproveDevice', udid: UDID, approvedBy: 'admin:alice', at: t(5) }, { kind: 'admin', id: 'alice' });
    expect(inventoryOf(held.log).enrollmentState).to.equal('enrolled');

    const rejected = new DeviceScript().authenticate(t(0), { quarantine: true }).tokenUpdate(t(1));
    rejected.log.device({ type: 'RejectDevice', udid: UDID, rejectedBy: 'admin:alice', reason: 'unknown owner', at: t(5) }, { kind: 'admin', id: 'alice' });
    expect(rejected.log.events.map((e) => e.type)).to.include('DeviceUnenrollmentRequested');
    expect(inventoryOf(rejected.log).enrollmentState).to.equal('rejected');
    rejected.checkOut(t(6));
    expect(inventoryOf(rejected.log).enrollmentState).to.equal('checked-out');
  });

  it('marks an admin-requested unenrollment, and tracks push invalidation and renewal', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    device.log.device({ type: 'InvalidatePushToken', udid: UDID, pushToken: '0a0b0c0d', at: t(2) }, { kind: 'system', id: 'apns' });
    expect(inventoryOf(device.log)).to.deep.include({ pushState: 'invalidated', pushTopic: TOPIC, pushUpdatedAt: t(2), lastSeenAt: t(1) });
    device.tokenUpdate(t(3), '0a0b0c0e');
    expect(inventoryOf(device.log)).to.deep.include({ pushState: 'active', pushUpdatedAt: t(3), lastSeenAt: t(3) });
    device.log.device({ type: 'RequestUnenrollment', udid: UDID, reason: 'lost', requestedBy: 'admin:alice', at: t(4) }, { kind: 'admin', id: 'alice' });
    expect(inventoryOf(device.log).enrollmentState).to.equal('unenrolling');
  });

  it('takes facts from a renewed identity and moves the certificate', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    device.log.device({ type: 'StartEnrollment', udid: UDID, topic: TOPIC, certificateHash: CERT_2, renewalOf: CERT_1, facts: { ...FACTS, deviceName: 'Renamed' }, at: t(5) });
    expect(device.log.events.at(-1)?.type).to.equal('DeviceCertificateRebound');
    expect(inventoryOf(device.log)).to.deep.include({ certificateHash: CERT_2, deviceName: 'Renamed', enrollmentState: 'enrolled', lastSeenAt: t(5) });
  });

  it('depends only on the events: the same events under two different clocks give the same documents', () => {
    const events = enrolledWithInventory().checkOut(t(100)).log.events;
    const early = underClock(Date.UTC(2001, 0, 1), () => fold(inventoryProjection, events));
    const late = underClock(Date.UTC(2099, 0, 1), () => fold(inventoryProjection, events));
    expect(early).to.deep.equal(late);
    const text = JSON.stringify([...early.values()]);
    expect(text).to.not.include('2001-01-01');
    expect(text).to.not.include('2099-01-01');
  });

  it('leaves updatedAt alone when an event changes nothing, and declares the admin filter indexes', () => {
    const log = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).log;
    member(log, 'DeviceGroupMemberAdded', 'sales', t(2));
    const before = fold(inventoryProjection, log.events).get(UDID)!;
    member(log, 'DeviceGroupMemberAdded', 'sales', t(3));
    expect(fold(inventoryProjection, log.events).get(UDID)).to.deep.equal(before);
    expect(before.updatedAt).to.equal(t(2));
    const indexed = inventoryProjection.indexes!.map((i) => i.fields.map((f) => f.path).join('+'));
    expect(indexed).to.have.members([
      'enrollmentState+lastSeenAt', 'enrollmentState+deviceName', 'model+lastSeenAt', 'model+deviceName', 'pushState+lastSeenAt',
      'serialNumber', 'deviceName', 'user', 'osVersionKey', 'lastSeenAt', 'nextCertificateExpiry',
    ]);
  });
});
