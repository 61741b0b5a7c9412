interface Entry {
  readonly token: string;
  reported: boolean;
  attempts: number;
  lastAttempt: Date;
}

/**
 * Tokens APNs answered 410 for, per device: whether PushTokenInvalidated was already reported and
 * when the token was last tried. Bounded: the oldest entries make room (the store's
 * `tokenInvalidatedAt` still covers a device forgotten here).
 */
export class UnregisteredTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  /** Notes an attempt that APNs answered 410; returns how many such attempts this token has had. */
  recordAttempt(udid: string, token: string, at: Date): number {
    const existing = this.entry(udid, token);
    const entry: Entry = existing ?? { token, reported: false, attempts: 0, lastAttempt: at };
    entry.attempts += 1;
    entry.lastAttempt = at;
    this.entries.delete(udid);
    this.entries.set(udid, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry.attempts;
  }

  setReported(udid: string, token: string, reported: boolean): void {
    const entry = this.entry(udid, token);
    if (entry) entry.reported = reported;
  }

  isReported(udid: string, token: string): boolean {
    return this.entry(udid, token)?.reported ?? false;
  }

  lastAttempt(udid: string, token: string): Date | undefined {
    return this.entry(udid, token)?.lastAttempt;
  }

  attempts(udid: string, token: string): number {
    return this.entry(udid, token)?.attempts ?? 0;
  }

  /** The device's token worked again, or changed: start over. */
  forget(udid: string): void {
    this.entries.delete(udid);
  }

  private entry(udid: string, token: string): Entry | undefined {
    const entry = this.entries.get(udid);
    return entry?.token === token ? entry : undefined;
  }
}
