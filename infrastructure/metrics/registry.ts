/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4) for /metrics.
 */

type Labels = Readonly<Record<string, string>>;

// Observed on every request: a plain string key, sorted only when there is more than one label.
const key = (labels: Labels) => {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let k = '';
  for (const n of names) k += `${n}\u0000${labels[n]}\u0001`;
  return k;
};
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const render = (labels: Labels, extra: Labels = {}) => {
  const all = { ...labels, ...extra };
  const parts = Object.entries(all).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

interface Metric {
  readonly name: string;
  readonly help: string;
  collect(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const entry = this.values.get(k) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(k, entry);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.value ?? 0;
  }
  collect(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map((e) => `${this.name}${render(e.labels)} ${e.value}`)];
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, private readonly sample?: () => number) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(key(labels), { labels, value });
  }
  collect(): string[] {
    if (this.sample) this.set(this.sample());
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...[...this.values.values()].map((e) => `${this.name}${render(e.labels)} ${e.value}`)];
  }
}

/** A gauge whose labelled values are all read when scraped (e.g. one per projection). */
export class SampledGauges implements Metric {
  constructor(readonly name: string, readonly help: string, private readonly sample: () => ReadonlyArray<readonly [Labels, number]>) {}
  collect(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...this.sample().map(([labels, value]) => `${this.name}${render(labels)} ${value}`)];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const k = key(labels);
    const s = this.series.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
    this.series.set(k, s);
  }
  collect(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${render(s.labels, { le: String(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${render(s.labels, { le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${render(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${render(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string, sample?: () => number): Gauge {
    return this.register(new Gauge(name, help, sample));
  }
  sampledGauges(name: string, help: string, sample: () => ReadonlyArray<readonly [Labels, number]>): SampledGauges {
    return this.register(new SampledGauges(name, help, sample));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** Prometheus text exposition format. */
  render(): string {
    return `${[...this.metrics.values()].flatMap((m) => m.collect()).join('\n')}\n`;
  }

  private register<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) return existing as M;
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

/** Process figures every operator expects next to the application's own. */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const started = Date.now() / 1000;
  registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  registry.gauge('process_cpu_seconds_total', 'User and system CPU time spent in seconds.', () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  registry.gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds.', () => started);
  registry.gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', () => process.memoryUsage().heapUsed);
}
