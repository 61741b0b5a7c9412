import type { AssignedApp, AssignedProfile, DeviceGroupEvent } from '../../domain/device-group/device-group.js';
import { installApplicationRequest, sameApp } from '../../domain/device-group/assignments.js';
import { isGroupName } from '../../domain/device-group/group-names.js';
import type { DeviceEvent } from '../../domain/device/device.js';
import type { EnrollmentEvent } from '../../domain/enrollment/enrollment.js';
import { uuidV5 } from '../deterministic-ids.js';
import { INVENTORY_REQUESTS } from './inventory.js';
import { dueRefresh } from './refresh-schedule.js';

/** Why a command is queued; also the actor id it is queued under (`system:<reason>`). */
export type AutomationReason = 'post-enrollment' | 'device-groups' | 'inventory-refresh';

export type AutomationAction =
  | { readonly kind: 'enqueue'; readonly udid: string; readonly commandUuid: string; readonly request: Readonly<Record<string, unknown>>; readonly reason: AutomationReason }
  /** The device joins the group its enrollment names (a token's or a user's group). */
  | { readonly kind: 'join-group'; readonly udid: string; readonly group: string; readonly enrollmentId: string; readonly commandId: string };

/** The parts of a recorded event the planner reads. */
export interface PlannedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: { readonly occurredAt?: string };
  readonly recordedAt: string;
}

type Hold = 'none' | 'quarantined' | 'rejected';

interface DeviceFacts {
  /** DeviceEnrolled since the last Authenticate, CheckOut or unenrollment request. */
  enrolled: boolean;
  hold: Hold;
  /**
   * The identity a hold was recorded for, when the event said (the device stream's quarantine is
   * per certificate): a device that starts enrolling with another one is decided anew.
   */
  holdCertificate?: string;
  enrollmentId?: string;
  readonly groups: Set<string>;
  /** When it last became active (enrolled and not held), in ms. */
  activatedAtMs?: number;
}

interface GroupFacts {
  readonly members: Set<string>;
  profiles: AssignedProfile[];
  apps: AssignedApp[];
}

interface Desired {
  readonly profiles: ReadonlyMap<string, AssignedProfile>;
  readonly apps: ReadonlyMap<string, AssignedApp>;
}

/** Namespace of the automation's command ids. */
const NAMESPACE = '7d0c2f4e-9a51-4c3b-8e6f-1b2a3c4d5e6f';

/**
 * The automation's decisions, free of I/O: fed every event of the store in order, it keeps the
 * little it needs (groups, their members and assignments, which devices are enrolled and not held
 * in quarantine) and says what to queue because of each event.
 *
 * - A device becomes active when it enrolls (DeviceEnrolled, first time or again) without being
 *   held, or when its quarantine is lifted (EnrollmentApproved, or DeviceApproved for a device held
 *   through no enrollment, such as under the global quarantine): it gets the inventory queries and
 *   every profile and app its groups assign. A rejected or still quarantined device gets nothing,
 *   refreshes included, until it enrolls again with another identity or enrollment.
 * - While active, a change of its groups or of their assignments installs what it now lacks and
 *   removes (by PayloadIdentifier or bundle identifier) what no group gives it any more. When two
 *   groups install the same PayloadIdentifier, the group first by name wins.
 * - Command ids are UUIDv5 of the triggering event's id, the device and the purpose: replaying the
 *   same events gives the same ids, so the queue recognises a command it already has.
 */
export class AutomationPlanner {
  private readonly groups = new Map<string, GroupFacts>();
  private readonly devices = new Map<string, DeviceFacts>();

  apply(event: PlannedEvent): AutomationAction[] {
    const e = { type: event.type, data: event.data } as DeviceGroupEvent | DeviceEvent | EnrollmentEvent;
    switch (e.type) {
      case 'DeviceGroupCreated':
        this.groups.set(e.data.name, { members: new Set(), profiles: [], apps: [] });
        return [];
      case 'DeviceGroupDeleted':
        return this.changeGroup(event, e.data.name, (g) => {
          for (const udid of g.members) this.devices.get(udid)?.groups.delete(e.data.name);
          g.members.clear();
          this.groups.delete(e.data.name);
        });
      case 'DeviceGroupMemberAdded':
      case 'DeviceGroupMemberRemoved': {
        const group = this.groups.get(e.data.name);
        if (!group) return [];
        const device = this.device(e.data.udid);
        return this.changeDevices(event, [e.data.udid], () => {
          if (e.type === 'DeviceGroupMemberAdded') {
            group.members.add(e.data.udid);
            device.groups.add(e.data.name);
          } else {
            group.members.delete(e.data.udid);
            device.groups.delete(e.data.name);
          }
        });
      }
      case 'DeviceGroupProfileAssigned':
        return this.changeGroup(event, e.data.name, (g) => {
          g.profiles.push(e.data.profile);
        });
      case 'DeviceGroupProfileUnassigned':
        return this.changeGroup(event, e.data.name, (g) => {
          g.profiles = g.profiles.filter((p) => p.sha256 !== e.data.sha256);
        });
      case 'DeviceGroupAppAssigned':
        return this.changeGroup(event, e.data.name, (g) => {
          g.apps.push(e.data.app);
        });
      case 'DeviceGroupAppUnassigned':
        return this.changeGroup(event, e.data.name, (g) => {
          g.apps = g.apps.filter((a) => a.bundleIdentifier !== e.data.bundleIdentifier);
        });
      case 'EnrollmentDeviceAuthenticated': {
        const device = this.device(e.data.udid);
        // A new enrollment starts without a hold; its EnrollmentQuarantined, if any, follows it.
        if (device.enrollmentId !== e.data.enrollmentId) {
          device.enrollmentId = e.data.enrollmentId;
          this.release(device);
        }
        const group = e.data.group;
        if (group === undefined || !isGroupName(group) || device.groups.has(group)) return [];
        return [{ kind: 'join-group', udid: e.data.udid, group, enrollmentId: e.data.enrollmentId, commandId: this.id(event, e.data.udid, `join/${group}`) }];
      }
      case 'EnrollmentQuarantined':
        this.hold(this.device(e.data.udid), 'quarantined');
        return [];
      case 'DeviceQuarantined':
        this.hold(this.device(e.data.udid), 'quarantined', e.data.certificateHash);
        return [];
      case 'EnrollmentRejected':
        this.hold(this.device(e.data.udid), 'rejected', e.data.certificateSha256);
        return [];
      case 'DeviceRejected':
        this.hold(this.device(e.data.udid), 'rejected', e.data.certificateHash);
        return [];
      // An enrollment's approval is recorded on both streams; the first lifts the hold, the second finds none.
      case 'EnrollmentApproved':
      case 'DeviceApproved': {
        const device = this.device(e.data.udid);
        if (device.hold !== 'quarantined') return [];
        this.release(device);
        return device.enrolled ? this.activate(event, e.data.udid, device) : [];
      }
      case 'DeviceEnrollmentStarted': {
        const device = this.device(e.data.udid);
        device.enrolled = false;
        // Another identity is another enrollment: its quarantine, if any, is recorded after this.
        if (device.holdCertificate !== undefined && device.holdCertificate !== e.data.certificateHash) this.release(device);
        return [];
      }
      case 'DeviceCertificateRebound': {
        // A renewed identity carries the decision about the one it replaces.
        const device = this.device(e.data.udid);
        if (device.holdCertificate === e.data.previousCertificateHash) device.holdCertificate = e.data.certificateHash;
        return [];
      }
      case 'DeviceCheckedOut':
      case 'DeviceUnenrollmentRequested':
        this.device(e.data.udid).enrolled = false;
        return [];
      case 'DeviceEnrolled': {
        const device = this.device(e.data.udid);
        device.enrolled = true;
        return device.hold === 'none' ? this.activate(event, e.data.udid, device) : [];
      }
      default:
        return [];
    }
  }

  /**
   * Inventory refreshes for active devices whose slot falls in (fromMs, toMs]; none for a device
   * that became active after its slot (its enrollment inventory is fresher).
   */
  dueRefreshes(fromMs: number, toMs: number, intervalMs: number): AutomationAction[] {
    if (intervalMs <= 0) return [];
    const actions: AutomationAction[] = [];
    for (const [udid, device] of this.devices) {
      if (!this.isActive(device)) continue;
      const due = dueRefresh(udid, intervalMs, fromMs, toMs);
      if (!due || due.atMs <= (device.activatedAtMs ?? 0)) continue;
      for (const request of INVENTORY_REQUESTS) {
        actions.push({ kind: 'enqueue', udid, request, reason: 'inventory-refresh', commandUuid: uuidV5(NAMESPACE, `refresh/${udid}/${intervalMs}/${due.period}/${String(request['requestType'])}`) });
      }
    }
    return actions;
  }

  /** Devices that get commands from the automation now. */
  get activeDevices(): number {
    let n = 0;
    for (const d of this.devices.values()) if (this.isActive(d)) n++;
    return n;
  }

  private activate(event: PlannedEvent, udid: string, device: DeviceFacts): AutomationAction[] {
    const at = Date.parse(event.metadata?.occurredAt ?? event.recordedAt);
    device.activatedAtMs = Number.isFinite(at) ? at : 0;
    const inventory = INVENTORY_REQUESTS.map((request) => this.enqueue(event, udid, `inventory/${String(request['requestType'])}`, request, 'post-enrollment'));
    return [...inventory, ...this.diff(event, udid, { profiles: new Map(), apps: new Map() }, this.desired(device), 'post-enrollment')];
  }

  private changeGroup(event: PlannedEvent, name: string, change: (g: GroupFacts) => void): AutomationAction[] {
    const group = this.groups.get(name);
    if (!group) return [];
    return this.changeDevices(event, [...group.members], () => change(group));
  }

  /** Applies a change and queues, for each active device it touches, the difference it makes. */
  private changeDevices(event: PlannedEvent, udids: readonly string[], change: () => void): AutomationAction[] {
    const before = new Map(udids.map((u) => [u, this.desired(this.device(u))] as const));
    change();
    return udids.flatMap((u) => {
      const device = this.device(u);
      return this.isActive(device) ? this.diff(event, u, before.get(u)!, this.desired(device), 'device-groups') : [];
    });
  }

  private diff(event: PlannedEvent, udid: string, before: Desired, after: Desired, reason: AutomationReason): AutomationAction[] {
    const actions: AutomationAction[] = [];
    for (const [identifier, old] of before.profiles) {
      if (!after.profiles.has(identifier)) actions.push(this.enqueue(event, udid, `remove-profile/${identifier}/${old.sha256}`, { requestType: 'RemoveProfile', Identifier: identifier }, reason));
    }
    for (const [identifier, profile] of after.profiles) {
      // Installing a profile with the PayloadIdentifier of an installed one replaces it.
      if (before.profiles.get(identifier)?.sha256 === profile.sha256) continue;
      actions.push(this.enqueue(event, udid, `install-profile/${identifier}/${profile.sha256}`, { requestType: 'InstallProfile', Payload: { blobId: profile.blobId, sha256: profile.sha256, size: profile.size } }, reason));
    }
    for (const [bundle] of before.apps) {
      if (!after.apps.has(bundle)) actions.push(this.enqueue(event, udid, `remove-app/${bundle}`, { requestType: 'RemoveApplication', Identifier: bundle }, reason));
    }
    for (const [bundle, app] of after.apps) {
      const old = before.apps.get(bundle);
      if (old && sameApp(old, app)) continue;
      actions.push(this.enqueue(event, udid, `install-app/${bundle}/${JSON.stringify(app)}`, installApplicationRequest(app), reason));
    }
    return actions;
  }

  private desired(device: DeviceFacts): Desired {
    const profiles = new Map<string, AssignedProfile>();
    const apps = new Map<string, AssignedApp>();
    for (const name of [...device.groups].sort()) {
      const group = this.groups.get(name);
      if (!group) continue;
      for (const p of group.profiles) if (!profiles.has(p.payloadIdentifier)) profiles.set(p.payloadIdentifier, p);
      for (const a of group.apps) if (!apps.has(a.bundleIdentifier)) apps.set(a.bundleIdentifier, a);
    }
    return { profiles, apps };
  }

  private hold(device: DeviceFacts, hold: Exclude<Hold, 'none'>, certificate?: string): void {
    device.hold = hold;
    if (certificate !== undefined) device.holdCertificate = certificate;
    else delete device.holdCertificate;
  }

  private release(device: DeviceFacts): void {
    device.hold = 'none';
    delete device.holdCertificate;
  }

  private isActive(device: DeviceFacts): boolean {
    return device.enrolled && device.hold === 'none';
  }

  private device(udid: string): DeviceFacts {
    let device = this.devices.get(udid);
    if (!device) {
      device = { enrolled: false, hold: 'none', groups: new Set() };
      this.devices.set(udid, device);
    }
    return device;
  }

  private enqueue(event: PlannedEvent, udid: string, purpose: string, request: Readonly<Record<string, unknown>>, reason: AutomationReason): AutomationAction {
    return { kind: 'enqueue', udid, request, reason, commandUuid: this.id(event, udid, purpose) };
  }

  private id(event: PlannedEvent, udid: string, purpose: string): string {
    return uuidV5(NAMESPACE, `${event.eventId}/${udid}/${purpose}`);
  }
}
