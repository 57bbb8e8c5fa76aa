import { type ParseArgsConfig, parseArgs } from 'node:util';
import { tokenScopeSchema } from '@parley/shared';
import { z } from 'zod';
import { EnvError, loadEnv } from './env.ts';

// The database, the server and the commands are imported when a command needs them, so that help,
// configuration errors and bad arguments answer at once.

const usage = `Usage: npm run parley -- <command> [options]

Commands:
  start                                   start the server (migrates first)
  migrate                                 apply database migrations and exit
  create-admin --email E --password P --name N --account A
                                          create an account and its first admin
  create-token --account ACCOUNT_ID --scopes s1,s2 [--name NAME]
                                          create an API token (printed once)
  revoke-token (--id TOKEN_ID | --token pat_…)
                                          revoke an API token; it stops working at once
  seed-demo                               create a demo account, inbox, agents and conversations
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Options of one command; an unknown or malformed option is a usage error (exit 2), not a crash. */
function optionsOf(command: string, args: string[], options: ParseArgsConfig['options']) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (error) {
    fail(`${command}: ${(error as Error).message}`);
  }
}

const problemsOf = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(usage);
    return;
  }
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) fail(error.message);
    throw error;
  }
  const openDb = async () => {
    const { connectDatabase } = await import('./db/connect.ts');
    const database = await connectDatabase({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      poolSize: 2,
    });
    await database.migrate();
    return database;
  };

  switch (command) {
    case 'start': {
      const { startServer } = await import('./server.ts');
      const server = await startServer({ env });
      process.stdout.write(`Parley is running at ${env.PUBLIC_URL} (API docs: ${env.PUBLIC_URL}/api/docs)\n`);
      const shutdown = (signal: string) => {
        server.ctx.log.info({ signal }, 'signal received');
        const timer = setTimeout(() => process.exit(1), env.SHUTDOWN_GRACE_MS);
        timer.unref();
        void server.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      return;
    }
    case 'migrate': {
      const database = await openDb();
      await database.close();
      process.stdout.write('Migrations applied.\n');
      return;
    }
    case 'create-admin': {
      const values = optionsOf('create-admin', rest, {
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        account: { type: 'string' },
      });
      const input = z
        .object({
          email: z.email(),
          password: z.string().min(10, 'password: at least 10 characters'),
          name: z.string().min(1),
          account: z.string().min(1),
        })
        .safeParse(values);
      if (!input.success) fail(`create-admin: ${problemsOf(input.error)}`);
      const { createAccountWithAdmin } = await import('./modules/accounts/commands.ts');
      const database = await openDb();
      try {
        const created = await database.db.transaction((tx) =>
          createAccountWithAdmin(tx, {
            accountName: input.data.account,
            name: input.data.name,
            email: input.data.email.toLowerCase(),
            password: input.data.password,
          }),
        );
        process.stdout.write(`Account ${created.accountId} created with admin ${input.data.email}.\n`);
      } catch (error) {
        await database.close();
        fail(`create-admin: ${(error as Error).message}`);
      }
      await database.close();
      return;
    }
    case 'create-token': {
      const values = optionsOf('create-token', rest, {
        account: { type: 'string' },
        scopes: { type: 'string' },
        name: { type: 'string' },
      });
      const input = z
        .object({
          account: z.uuid('account: an account id'),
          scopes: z
            .string()
            .transform((s) =>
              s
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean),
            )
            .pipe(z.array(tokenScopeSchema).min(1)),
          name: z.string().min(1).default('CLI token'),
        })
        .safeParse(values);
      if (!input.success) fail(`create-token: ${problemsOf(input.error)}`);
      const { createApiToken } = await import('./modules/tokens/commands.ts');
      const database = await openDb();
      let token: string | null = null;
      try {
        const account = await database.db.query.accounts.findFirst({
          where: (t, { eq }) => eq(t.id, input.data.account),
        });
        if (account) {
          ({ token } = await createApiToken(database.db, {
            accountId: input.data.account,
            name: input.data.name,
            scopes: input.data.scopes,
            createdBy: null,
          }));
        }
      } finally {
        await database.close();
      }
      if (!token) fail('create-token: no such account');
      process.stdout.write(`${token}\n`);
      process.stderr.write('Store this token now: it is shown only once.\n');
      return;
    }
    case 'revoke-token': {
      const values = optionsOf('revoke-token', rest, { id: { type: 'string' }, token: { type: 'string' } });
      const input = z
        .union([
          z.strictObject({ id: z.uuid('id: a token id') }),
          z.strictObject({ token: z.string().regex(/^pat_\S+$/, 'token: a pat_… token') }),
        ])
        .safeParse(values);
      if (!input.success) fail('revoke-token: give either --id TOKEN_ID or --token pat_…');
      const { findApiToken, revokeApiToken } = await import('./modules/tokens/commands.ts');
      const database = await openDb();
      let revoked = false;
      try {
        const found = await findApiToken(database.db, input.data);
        if (found) {
          await revokeApiToken(database.db, found.accountId, found.id, new Date());
          revoked = true;
        }
      } finally {
        await database.close();
      }
      if (!revoked) fail('revoke-token: no such token, or it is revoked already');
      process.stdout.write('Token revoked.\n');
      return;
    }
    case 'seed-demo': {
      const { startServer } = await import('./server.ts');
      const { DEMO_PASSWORD, seedDemo } = await import('./modules/demo/seed.ts');
      const server = await startServer({ env: { ...env, PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'warn' } });
      try {
        const result = await seedDemo(server.ctx);
        process.stdout.write(
          result.created
            ? `Demo account ready. Sign in as admin@demo.parley / ${DEMO_PASSWORD} (agents: sam@demo.parley, kim@demo.parley).\nInbox id: ${result.inboxId}\n`
            : 'The demo account exists already.\n',
        );
      } finally {
        await server.stop();
      }
      return;
    }
    default:
      fail(`Unknown command "${command}".\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
