import type { LogFields, Logger } from '../../application/ports/logger.js';
import type { LogLevel } from '../config/config.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Field names whose values are secrets wherever they appear, at any depth. A secret that must be
 * mentioned is logged as "[redacted]" so the line still says it was there.
 */
const SECRET_FIELD = /^(authorization|password|passphrase|secret|challenge|challengePassword|token|adminToken|unlockToken|bootstrapToken|pin|privateKey|key|cookie)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything worth logging: cut rather than risk an unredacted secret further down.
  if (depth > 6) return '[truncated]';
  // Bytes are never logged: they could be a key, a token or a profile.
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a collector. */
  write?: (line: string) => void;
  fields?: LogFields;
}

/** One JSON object per line: time, level, msg, then fields. */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const base = options.fields ?? {};
  const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg, ...(redact({ ...base, ...fields }) as LogFields) };
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => jsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}
