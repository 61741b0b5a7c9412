export type LogFields = Record<string, unknown>;

/** Structured logging. Adapters write one JSON object per line and redact secret-named fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export const LOGGER = Symbol.for('mdm.Logger');
