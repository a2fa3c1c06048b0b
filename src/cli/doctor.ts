// `leadrelay doctor`: what is set up right and what to fix, as a table; exits 1 when something blocks.
// A running leadrelay answers for itself (GET /api/doctor: its database, the reload state of its
// agreement, what its bots have seen); without one, the checks run from here.
import { blocks, type Finding, findingsTable } from '../infra/doctor.ts';
import { silentLog } from '../handlers/log.ts';
import { connection, noToken, type ServerOptions } from './api-client.ts';

export async function runDoctor(opts: ServerOptions): Promise<number> {
  const { token, base } = connection(opts, 'admin');
  let findings: Finding[];
  if (await answers(base)) {
    if (!token) {
      console.error(noToken('admin'));
      return 2;
    }
    const res = await fetch(`${base}/api/doctor`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      console.error(`leadrelay at ${base} answered ${res.status}: ${await res.text()}`);
      return 2;
    }
    findings = ((await res.json()) as { findings: Finding[] }).findings;
    console.log(`leadrelay at ${base}:\n`);
  } else {
    if (opts.url) {
      console.error(`no leadrelay answers at ${opts.url}`);
      return 2;
    }
    const { diagnose } = await import('../main.ts');
    findings = await diagnose(opts.env, { log: silentLog });
  }
  console.log(findingsTable(findings));
  return blocks(findings) ? 1 : 0;
}

async function answers(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    // Nothing listens there (or not leadrelay): check from here.
    return false;
  }
}
