// The `leadrelay` command line.
import { parseArgs } from 'node:util';
import { AgreementError, loadEnv } from '../infra/config.ts';
import { errorMessage } from '../domain/errors.ts';

const HELP = `leadrelay — marketing-to-sales lead handoff for Slack and Microsoft Teams

Usage:
  leadrelay start                    start the server (intake API; embedded PostgreSQL unless DATABASE_URL is set);
                                     applies pending migrations first, stops gracefully on SIGTERM
  leadrelay migrate                  apply pending migrations and exit (a deploy step before start)
  leadrelay import <leads.csv>       import leads from a CSV file through the running server's intake API
      --url <http://host:port>       where leadrelay runs (default http://localhost:$PORT or 3000)
      --token <token>                a token (default: an intake token from LEADRELAY_INTAKE_TOKENS,
                                     LEADRELAY_TOKENS_FILE, LEADRELAY_INTAKE_TOKEN or .leadrelay/intake-token)
  leadrelay demo                     seed this month with realistic leads, so the digest has numbers
                                     (sandbox only; --url, and --token with an admin token)
  leadrelay propose [--month YYYY-MM] asks the running server for the month's proposals for the agreement and
                                     writes them to leadrelay.proposed.yml beside the agreement, with a diff;
                                     nothing changes by itself (--url, --token with an admin token)
  leadrelay teams-package [--app-id <id>] [--out <file>]
                                     build the Teams app package (zip) to upload, for your bot's app id
  leadrelay check [file]             validate an agreement file (default leadrelay.yml or leadrelay.example.yml)
  leadrelay doctor                   check the setup: the agreement, the database, and in Slack and Teams every
                                     person, channel and permission; a table of what is fine and what to fix,
                                     exit 1 when something blocks (asks the running server if there is one:
                                     --url, --token with an admin token)
  leadrelay --help                   this text

Environment: PORT, HOST, DATABASE_URL, LEADRELAY_DB_POOL, LEADRELAY_SHUTDOWN_MS, LEADRELAY_CONFIG,
LEADRELAY_DATA_DIR, LEADRELAY_INTAKE_TOKENS, LEADRELAY_ADMIN_TOKENS, LEADRELAY_TOKENS_FILE,
LEADRELAY_INTAKE_TOKEN (see README → Configuration and Run in production).`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, url: { type: 'string' }, token: { type: 'string' }, 'app-id': { type: 'string' }, out: { type: 'string' }, month: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    console.log(HELP);
    return 0;
  }
  const env = loadEnv();
  switch (command) {
    case 'start': {
      const { runServer } = await import('./start.ts');
      return runServer(env);
    }
    case 'migrate': {
      const { runMigrate } = await import('./migrate.ts');
      return runMigrate(env);
    }
    case 'import': {
      const { runImport } = await import('./csv-import.ts');
      if (!rest[0]) {
        console.error('usage: leadrelay import <leads.csv>');
        return 2;
      }
      return runImport({ file: rest[0], env, url: values.url, token: values.token });
    }
    case 'demo': {
      const { runDemo } = await import('./demo.ts');
      return runDemo({ env, url: values.url, token: values.token });
    }
    case 'propose': {
      const { runPropose } = await import('./propose.ts');
      return runPropose({ env, url: values.url, token: values.token, month: values.month });
    }
    case 'teams-package': {
      const { runTeamsPackage } = await import('../infra/teams-package.ts');
      return runTeamsPackage({ appId: values['app-id'] ?? env.MicrosoftAppId, out: values.out });
    }
    case 'doctor': {
      const { runDoctor } = await import('./doctor.ts');
      return runDoctor({ env, url: values.url, token: values.token });
    }
    case 'check': {
      const { agreementPath, loadAgreement } = await import('../infra/config.ts');
      const file = rest[0] ?? agreementPath(env);
      const a = loadAgreement(file);
      console.log(`${file}: ok (${a.company}: ${a.routing.queues.length} queues, ${a.people.length} people)`);
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(error instanceof AgreementError ? error.message : `leadrelay: ${errorMessage(error)}`);
    process.exitCode = 1;
  },
);
