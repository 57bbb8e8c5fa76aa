import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const urlSchema = z.url({ protocol: /^https?$/ });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: urlSchema.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  MESSAGE_WRITER_LANES: z.coerce.number().int().min(1).max(64).default(4),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Extra origins allowed to open agent WebSockets and make cookie requests (comma-separated). */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .superRefine((value, check) => {
      // Browsers send the bare origin; "https://app.example.com/" would never match and fail silently.
      for (const entry of splitList(value)) {
        if (!isOrigin(entry)) {
          check.addIssue({
            code: 'custom',
            message: `"${entry}" is not an origin such as https://app.example.com`,
          });
        }
      }
    }),
  NODE_NAME: z.string().min(1).max(64).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  /** `off` is for load tests only: it disables every per-client rate limit. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** Requests per minute one API token may make to the public API (/api/v1); 429 with Retry-After beyond. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * Bot webhooks may not reach loopback, private, link-local or metadata addresses, except the host
   * names, addresses and CIDR ranges listed here (comma-separated), e.g. bots.internal,10.1.0.0/16.
   */
  BOT_WEBHOOK_ALLOWLIST: z
    .string()
    .default('')
    .refine(
      (value) =>
        splitList(value).every((entry) => isProxyEntry(entry) || /^[A-Za-z0-9.-]{1,253}$/.test(entry)),
      'a comma-separated list of host names, addresses and CIDR ranges',
    ),
  /** Like BOT_WEBHOOK_ALLOWLIST, for webhook subscriptions: what they may reach inside your network. */
  WEBHOOK_ALLOWLIST: z
    .string()
    .default('')
    .refine(
      (value) =>
        splitList(value).every((entry) => isProxyEntry(entry) || /^[A-Za-z0-9.-]{1,253}$/.test(entry)),
      'a comma-separated list of host names, addresses and CIDR ranges',
    ),
  /**
   * Outgoing e-mail (notifications, follow-ups of unread replies): smtp://user:pass@host:587 (STARTTLS
   * when offered) or smtps://…:465. Unset: Parley sends no e-mail.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From of outgoing e-mail, e.g. "Acme Support <support@acme.test>"; defaults to no-reply@<PUBLIC_URL host>. */
  MAIL_FROM: z.string().min(3).max(200).optional(),
  /** Largest file an agent or visitor may upload, in bytes (default 25 MiB). */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(5 * 1024 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  /**
   * Files go to an S3-compatible bucket (AWS S3, MinIO, R2…) when all five S3_ variables are set,
   * else under DATA_DIR/files. Objects are addressed path-style: S3_ENDPOINT/S3_BUCKET/key.
   */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: urlSchema.optional(),
  S3_REGION: z.string().min(1).max(64).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /**
   * Which peers may set X-Forwarded-For (the client address used by rate limits and sessions).
   * `true` trusts anyone, so any client could pick its own address; the default trusts proxies on
   * loopback and private networks only.
   */
  TRUST_PROXY: z
    .string()
    .default('loopback,linklocal,uniquelocal')
    .refine(
      (value) =>
        value === 'true' ||
        value === 'false' ||
        /^\d{1,2}$/.test(value) ||
        value.split(',').every((entry) => isProxyEntry(entry.trim())),
      'true, false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, addresses and CIDR ranges',
    ),
});

/** File storage in S3 needs all of these; none of them means files on disk. */
const s3Variables = [
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

function isProxyEntry(entry: string): boolean {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (version === 4 ? 32 : 128);
}

/** TRUST_PROXY in the form Fastify takes: a flag, a hop test or a list of trusted peers. */
export function trustProxyOf(env: {
  TRUST_PROXY: string;
}): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (env.TRUST_PROXY === 'true') return true;
  if (env.TRUST_PROXY === 'false') return false;
  if (/^\d{1,2}$/.test(env.TRUST_PROXY)) {
    const hops = Number(env.TRUST_PROXY);
    return (_address, hop) => hop < hops;
  }
  return env.TRUST_PROXY.split(',').map((entry) => entry.trim());
}

export type Env = z.infer<typeof envSchema> & {
  SECRET_KEY: string;
  PUBLIC_URL: string;
  allowedOrigins: string[];
  nodeName: string;
};

export class EnvError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Reads and validates the whole environment at once, so an operator sees every problem in one go.
 * A missing SECRET_KEY is generated and kept in DATA_DIR so sessions survive restarts.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const s3Missing = s3Variables.filter((name) => env[name] === undefined);
  if (s3Missing.length > 0 && s3Missing.length < s3Variables.length) {
    throw new EnvError([
      `${s3Missing.join(', ')}: set all of ${s3Variables.join(', ')} to store files in S3`,
    ]);
  }
  const secret = env.SECRET_KEY ?? readOrCreateSecret(env.DATA_DIR);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const allowedOrigins = [new URL(publicUrl).origin, ...splitList(env.ALLOWED_ORIGINS)];
  return {
    ...env,
    SECRET_KEY: secret,
    PUBLIC_URL: publicUrl,
    allowedOrigins,
    nodeName: env.NODE_NAME ?? `node-${process.pid}`,
  };
}

function readSecret(file: string): string | null {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    return existing.length >= 32 ? existing : null;
  } catch {
    return null;
  }
}

/**
 * Creates the secret only if no file exists (exclusive create), so two processes starting on the
 * same DATA_DIR agree on one key, and an existing key is never silently replaced.
 */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  const existing = readSecret(file);
  if (existing) return existing;
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') throw new EnvError([`DATA_DIR: cannot create ${file} (${code ?? String(error)})`]);
  }
  const created = readSecret(file);
  if (!created) {
    throw new EnvError([
      `DATA_DIR: ${file} does not hold a secret of at least 32 characters; remove it or set SECRET_KEY`,
    ]);
  }
  return created;
}
