// `leadrelay demo`: a client of the running server's /api/demo.
import { connection, noToken, type ServerOptions, send } from './api-client.ts';

/** `leadrelay demo`: asks the running server to seed this month. */
export async function runDemo(opts: ServerOptions): Promise<number> {
  const { token, base } = connection(opts, 'admin');
  if (!token) {
    console.error(noToken('admin'));
    return 2;
  }
  const answer = await send(base, '/api/demo', token, {});
  if (answer.status !== 201) {
    console.error(`leadrelay answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return 1;
  }
  console.log(`seeded ${(answer.json as { leads: number }).leads} leads this month; "Post digest now" in the sandbox, or /leads digest, shows the numbers`);
  return 0;
}
