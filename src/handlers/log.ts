// The log as the use cases and the infrastructure see it: a level, a sentence, and fields. pino's
// logger is one (src/infra/logger.ts). Fields hold ids, counts and codes, never a lead or a
// person's data: errors go in as errorMessage(error), which tells database errors by their codes.

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface LogFn {
  (msg: string): void;
  (fields: LogFields, msg: string): void;
}

export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const nothing: LogFn = () => {};
/** A log that writes nothing (tests, and parts that may run without one). */
export const silentLog: Log = { debug: nothing, info: nothing, warn: nothing, error: nothing };
