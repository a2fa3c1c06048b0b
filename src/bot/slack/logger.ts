// Slack onto leadrelay's log: Bolt's and the Web API client's logger, and the id of each
// interaction on every line written while it is handled.
import { randomUUID } from 'node:crypto';
import { App, type Logger, LogLevel, type ReceiverEvent } from '@slack/bolt';
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import { logContext, withLogContext } from '../../infra/logger.ts';

/** The tail of Bolt's receiver lines that quotes an error's message (a JSON parse error quotes the body). */
const quoted = /(?:, message: |\s*\(error: )[\s\S]*$/;

function line(args: unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a.replace(quoted, (m) => (m.startsWith(',') ? ')' : '')) : errorMessage(a))).join(' ');
}

/** Bolt's and the Web API's lines at their level, as `bolt: …` (leadrelay's own are `slack: …`). Their debug lines carry whole payloads (a
 * modal's note, a message's text) and errors as text: those are never forwarded. The level is
 * leadrelay's (LEADRELAY_LOG_LEVEL), not the SDK's. */
export function slackLogger(log: Log): Logger {
  return {
    debug: () => {},
    info: (...args: unknown[]) => log.info(`bolt: ${line(args)}`),
    warn: (...args: unknown[]) => log.warn(`bolt: ${line(args)}`),
    error: (...args: unknown[]) => log.error(`bolt: ${line(args)}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/** Slack's id of an interaction (a click's or a form's trigger id, an event's id), if it has one. */
function interactionId(body: ReceiverEvent['body']): Record<string, string> {
  const fields = (body ?? {}) as { trigger_id?: unknown; event_id?: unknown };
  if (typeof fields.trigger_id === 'string') return { triggerId: fields.trigger_id };
  if (typeof fields.event_id === 'string') return { eventId: fields.event_id };
  return {};
}

/** Bolt's app, whose lines about an interaction — its listeners', the work after the ack, the
 * error handler's — carry its request id (the HTTP request's, or a new one in Socket Mode) and
 * Slack's id of it. */
export class TracedApp extends App {
  override processEvent(event: ReceiverEvent): Promise<void> {
    return withLogContext({ requestId: logContext()?.requestId ?? randomUUID(), ...interactionId(event.body) }, () => super.processEvent(event));
  }
}
