/** Shared by the listeners so /readyz turns 503 as soon as a shutdown begins. */
export class Lifecycle {
  private stopping = false;
  get shuttingDown(): boolean {
    return this.stopping;
  }
  beginShutdown(): void {
    this.stopping = true;
  }
}
