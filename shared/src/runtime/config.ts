import * as v from "valibot";
import { KafkaPairError } from "../errors.ts";
import { type Namespace, namespace } from "./namespace.ts";

const port = (fallback: number) =>
  v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(65535)), String(fallback));

/** A whole number of 0 or more (0 is meaningful for each: no linger, no retries, no backoff...). */
const wholeNumber = (fallback: number) =>
  v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0)), String(fallback));

/**
 * A wait's bound or a time window, at least 1 ms: 0 would end every wait before it began, and
 * an idempotency window of 0 meant "never expires" to lru-cache and an invalid expiry to Redis.
 */
const durationMs = (fallback: number) =>
  v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1, "must be at least 1 ms")), String(fallback));

const bootstrapServers = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, "must be host:port[,host:port...]"),
);

/**
 * Every variable the workers read, with its default. Nothing else touches the environment.
 * Each entry's description is its documentation: docs/configuration.md is generated from this
 * schema (`npm run docs:config`), and a unit test fails when the page is stale.
 */
/** Where CONSUMER_CRASH_AT may kill the consumer (fault tests). */
export const CRASH_POINTS = ["handler", "after-store", "in-transaction", "after-transaction"] as const;

export const Env = v.object({
  KAFKA_BOOTSTRAP_SERVERS: v.pipe(
    v.optional(bootstrapServers, "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"),
    v.description(
      "Brokers to bootstrap from (`npm start` and `npm test` set it to the cluster they found or started).",
    ),
  ),
  KAFKA_CLIENT_ID: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty()), "kafka-pair"),
    v.description("Client id prefix; `-producer` / `-consumer` is appended."),
  ),
  KAFKA_NAMESPACE: v.pipe(
    v.optional(v.pipe(v.string(), v.regex(/^[a-zA-Z0-9._-]{0,100}$/, "letters, digits, . _ - only")), ""),
    v.description(
      "Prefix for every topic and group name (`staging.` → `staging.orders`); HTTP paths keep the contract names.",
    ),
  ),
  KAFKA_SECURITY_PROTOCOL: v.pipe(
    v.optional(v.picklist(["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]), "plaintext"),
    v.description("librdkafka `security.protocol`."),
  ),
  KAFKA_SASL_MECHANISM: v.pipe(
    v.optional(v.picklist(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])),
    v.description("SASL mechanism (with `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`)."),
  ),
  KAFKA_SASL_USERNAME: v.pipe(v.optional(v.string()), v.description("SASL user name.")),
  KAFKA_SASL_PASSWORD: v.pipe(v.optional(v.string()), v.description("SASL password.")),
  KAFKA_SSL_CA_LOCATION: v.pipe(v.optional(v.string()), v.description("TLS: the CA certificate file (PEM).")),
  KAFKA_SSL_CERTIFICATE_LOCATION: v.pipe(
    v.optional(v.string()),
    v.description("TLS: the client certificate file, for mutual TLS."),
  ),
  KAFKA_SSL_KEY_LOCATION: v.pipe(v.optional(v.string()), v.description("TLS: the client key file, for mutual TLS.")),
  KAFKA_DELIVERY_TIMEOUT_MS: v.pipe(
    durationMs(10_000),
    v.description(
      "Upper bound on how long a produce may wait for its delivery report (the tutorial's 10 s); past it the answer is 504.",
    ),
  ),
  KAFKA_LINGER_MS: v.pipe(
    wholeNumber(5),
    v.description(
      "librdkafka's batching delay, its own and Java's default: under concurrent requests, fewer and larger produce " +
        "requests cost the client and brokers far less. 0 suits one caller sending strictly one event at a time.",
    ),
  ),
  KAFKA_MAX_QUEUED_MESSAGES: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100000"),
    v.description(
      "Bound on records waiting in the producer's local queue: past it, requests get 503 instead of memory.",
    ),
  ),
  KAFKA_GROUP_PROTOCOL: v.pipe(
    v.optional(v.picklist(["classic", "consumer"]), "classic"),
    v.description(
      "Consumer group protocol: `classic` (client-side cooperative-sticky assignment) or `consumer` (KIP-848: the broker assigns; " +
        "Kafka ≥ 4.0, librdkafka ≥ 2.12). Every member of a group must be able to speak the one chosen. `classic` is the default " +
        "because the rebalance bench measured no shorter hand-over under `consumer` (docs/design-decisions.md).",
    ),
  ),
  KAFKA_SESSION_TIMEOUT_MS: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1))),
    v.description(
      "Classic protocol only: how long a silent member keeps its partitions (librdkafka's default 45000). Under `consumer` the broker decides (group.consumer.session.timeout.ms), so setting it is refused.",
    ),
  ),
  KAFKA_HEARTBEAT_INTERVAL_MS: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1))),
    v.description(
      "Classic protocol only: the member's heartbeat interval (librdkafka's default 3000). Under `consumer` the broker decides (group.consumer.heartbeat.interval.ms), so setting it is refused.",
    ),
  ),
  KAFKA_GROUP_REMOTE_ASSIGNOR: v.pipe(
    v.optional(v.picklist(["uniform", "range"])),
    v.description(
      "`consumer` protocol only: the broker-side assignor the members ask for (the broker's default when unset). Refused under `classic`.",
    ),
  ),
  TRANSPORT: v.pipe(
    v.optional(v.picklist(["confluent", "platformatic"]), "confluent"),
    v.description(
      "Kafka client: `confluent` is librdkafka (on Node the Confluent binding, on Deno the same C library through FFI); " +
        "`platformatic` (@platformatic/kafka, pure JavaScript) is Deno's fallback for hosts without FFI, producer only.",
    ),
  ),
  LIBRDKAFKA_PATH: v.pipe(
    v.optional(v.pipe(v.string(), v.minLength(1))),
    v.description(
      "Deno only: the librdkafka shared library to load. Unset: the one the installed Confluent package carries, then the system's `librdkafka.so.1`.",
    ),
  ),
  PORT: v.pipe(
    v.optional(v.string()),
    v.description("HTTP port, 0-65535; unset: 3000 for the producer, 3001 for the consumer, 8989 for the console."),
  ),
  HOST: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty())),
    v.description(
      "HTTP listen address; unset: 0.0.0.0 for the workers, 127.0.0.1 for the console (which allows replay and " +
        "produce without a token only on a loopback address).",
    ),
  ),
  LOG_LEVEL: v.pipe(
    v.optional(v.picklist(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
    v.description("pino log level. librdkafka's own info lines (connects, disconnects) are logged at debug."),
  ),
  SHUTDOWN_TIMEOUT_MS: v.pipe(durationMs(15_000), v.description("Bound on a graceful shutdown.")),
  PRODUCER_API_TOKEN: v.pipe(
    v.optional(v.pipe(v.string(), v.minLength(16, "use at least 16 characters"))),
    v.description(
      "The simplest authentication: when set, every producing route needs `Authorization: Bearer <token>`; its principal is `api-token`, allowed every topic.",
    ),
  ),
  PRODUCER_API_KEYS: v.pipe(
    v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty())),
    v.description(
      "API keys with the topics each may produce to: `principal=key:topic,topic;other=key:*` (keys: 16+ characters of `A-Za-z0-9._~+/-`). Sent as `Authorization: Bearer <key>`; the principal is recorded on every record (`ce_authid`) and in the access log.",
    ),
  ),
  PRODUCER_JWKS_URL: v.pipe(
    v.optional(v.pipe(v.string(), v.url())),
    v.description(
      "Accept JWTs (`Authorization: Bearer <jwt>`) signed by a key of this JWKS (fetched and cached by jose); needs `PRODUCER_JWT_ISSUER` and `PRODUCER_JWT_AUDIENCE`. The subject (`sub`) is the principal.",
    ),
  ),
  PRODUCER_JWT_ISSUER: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty())),
    v.description("Required `iss` of accepted JWTs."),
  ),
  PRODUCER_JWT_AUDIENCE: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty())),
    v.description("Required `aud` of accepted JWTs."),
  ),
  PRODUCER_JWT_TOPICS_CLAIM: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty()), "topics"),
    v.description(
      'JWT claim listing the topics the subject may produce to: an array, a space-separated string, or "*".',
    ),
  ),
  PRODUCER_MAX_BODY_BYTES: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), String(5 * 1024 * 1024)),
    v.description("Request body limit; larger bodies get 413."),
  ),
  ACCESS_LOG: v.pipe(
    v.optional(v.picklist(["all", "sampled", "off"]), "sampled"),
    v.description(
      "Producer access log: a line per request (`all`), one per `ACCESS_LOG_SAMPLE_EVERY` successful requests " +
        "(`sampled`), or none (`off`). Answers >= 500 are logged in `all` and `sampled`; refused requests (4xx) are " +
        "logged by the error handler at any setting. A line per request cost about a fifth of single-event throughput.",
    ),
  ),
  ACCESS_LOG_SAMPLE_EVERY: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100"),
    v.description("With `ACCESS_LOG=sampled`: one successful request in this many is logged."),
  ),
  PRODUCER_EVENT_SOURCE: v.pipe(
    v.optional(v.pipe(v.string(), v.nonEmpty()), "/kafka-pair/producer"),
    v.description("CloudEvents `source` stamped on events whose request did not name one."),
  ),
  IDEMPOTENCY_WINDOW_MS: v.pipe(
    durationMs(24 * 60 * 60 * 1000),
    v.description("How long an Idempotency-Key replays its first answer."),
  ),
  IDEMPOTENCY_MAX_KEYS: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100000"),
    v.description("How many Idempotency-Keys the producer remembers (per instance, in memory)."),
  ),
  IDEMPOTENCY_STORE: v.pipe(
    v.optional(
      v.union(
        [v.literal("memory"), v.pipe(v.string(), v.regex(/^rediss?:\/\/\S+$/), v.url())],
        'must be "memory" or a redis:// or rediss:// URL',
      ),
      "memory",
    ),
    v.description(
      "Where Idempotency-Keys live: `memory` (this instance only, bounded by `IDEMPOTENCY_MAX_KEYS`) or a Valkey/Redis URL (`redis://host:6379/0`, `rediss://` for TLS) shared by every producer instance, so a retry sent to another instance replays the first answer. Keys expire after `IDEMPOTENCY_WINDOW_MS`; an unreachable server answers 503 to requests with a key.",
    ),
  ),
  CONSUMER_HANDLERS: v.pipe(
    v.optional(
      v.pipe(v.string(), v.trim(), v.regex(/^[^\0]+\.(ts|js|mjs)$/, "must be a path to a .ts, .js or .mjs module")),
    ),
    v.description(
      "A module exporting `subscriptions` to run instead of consumer/src/handlers, as a path from the working " +
        "directory (the e2e tests use test/handlers/consumer-behaviours.ts).",
    ),
  ),
  CONSUMER_CONCURRENCY: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "256"),
    v.description(
      "Default `maxInFlight` of a subscription: its handler calls at once, and the events one partition may hold " +
        "(running or waiting for their key's turn) before fetching from it pauses. A subscription may set its own " +
        "(docs/consumer.md: why 256, and when to set it lower).",
    ),
  ),
  CONSUMER_MAX_RETRIES: v.pipe(
    wholeNumber(3),
    v.description(
      "Default retries of a throwing handler before its failure policy gives up (dead-letter or stop); a subscription may set its own.",
    ),
  ),
  CONSUMER_RETRY_BACKOFF_MS: v.pipe(
    wholeNumber(200),
    v.description("First retry delay; it doubles on each retry (with jitter) up to `CONSUMER_RETRY_MAX_BACKOFF_MS`."),
  ),
  CONSUMER_RETRY_MAX_BACKOFF_MS: v.pipe(wholeNumber(10_000), v.description("Cap on the retry delay.")),
  CONSUMER_REVOKE_TIMEOUT_MS: v.pipe(
    durationMs(10_000),
    v.description("How long handlers of revoked partitions may take to finish before the partitions go."),
  ),
  CONSUMER_COMMIT_INTERVAL_MS: v.pipe(
    wholeNumber(100),
    v.description(
      "Least time between two offset commits of a subscription (0: the next leaves as soon as the previous is answered). " +
        "Commits still only cover finished events; revocation and shutdown commit at once. A crash repeats at most this much more work.",
    ),
  ),
  CONSUMER_MAX_BUFFERED_PER_PARTITION: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "2000"),
    v.description(
      "Records the client buffers per partition before fetching from it pauses (it resumes at half). Beside the " +
        "events the runtime holds (`maxInFlight` per partition): a larger buffer pauses and resumes a busy partition less often.",
    ),
  ),
  CONSUMER_CRASH_AT: v.pipe(
    v.optional(
      v.pipe(
        v.string(),
        v.regex(
          new RegExp(`^(${CRASH_POINTS.join("|")})=(0(\\.\\d+)?|1)(,(${CRASH_POINTS.join("|")})=(0(\\.\\d+)?|1))*$`),
          `must be point=odds pairs, comma-separated, points among ${CRASH_POINTS.join(", ")}, odds from 0 to 1`,
        ),
      ),
    ),
    v.description(
      "Fault tests only: kill the consumer with SIGKILL at these points with these odds per passage, e.g. " +
        "`handler=0.02,in-transaction=0.05`. Points: `handler` (an exactly-once handler returned, its records not yet " +
        "staged), `after-store` (a `store` subscription's database transaction committed, Kafka's not begun), `in-transaction` (records and offsets sent, commit not yet asked), `after-transaction` (committed, " +
        "not yet recorded). Unset in production.",
    ),
  ),
  DATABASE_URL: v.pipe(
    v.optional(
      v.pipe(
        v.string(),
        v.trim(),
        v.regex(
          /^(sqlite:[^\0]+|postgres(ql)?:\/\/\S+)$/,
          "must be sqlite:<file path> or a postgres:// (postgresql://) URL",
        ),
        v.check((url) => !/^sqlite:(:memory:)?$/.test(url), "an in-memory SQLite database cannot hold positions"),
      ),
      "sqlite:data/consumer.db",
    ),
    v.description(
      "The consumer's database: its offset store (each exactly-once subscription's positions and outbox) and the " +
        "example's `orders` table. `sqlite:<path>` is the embedded default (the runtime's built-in SQLite, the file and " +
        "its folder created when absent, a relative path from the working directory); `postgres://user:password@host:5432/db` " +
        "uses that PostgreSQL server. Its tables are created at start-up; the password never appears in logs or errors.",
    ),
  ),
  CONSOLE_PRODUCER_URL: v.pipe(
    v.optional(v.pipe(v.string(), v.url()), "http://127.0.0.1:3000"),
    v.description("Console: the producer edge its produce form posts through (with `PRODUCER_API_TOKEN` when set)."),
  ),
  CONSOLE_CONSUMER_URL: v.pipe(
    v.optional(v.pipe(v.string(), v.url()), "http://127.0.0.1:3001"),
    v.description(
      "Console: a consumer worker's ops address; while it answers, the group chart's throughput is its processed counter (`/metrics`), else Kafka's committed offsets.",
    ),
  ),
  CONSOLE_SAMPLE_INTERVAL_MS: v.pipe(
    v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1000)), "5000"),
    v.description("Console: how often it samples the groups' lag and committed offsets for its charts."),
  ),
});
export type Env = v.InferOutput<typeof Env>;

export interface KafkaConnection {
  bootstrapServers: string;
  clientId: string;
  /** librdkafka security properties, passed through as they are. */
  security: Record<string, string>;
}

export interface WorkerConfig {
  role: "producer" | "consumer" | "console";
  port: number;
  host: string;
  logLevel: Env["LOG_LEVEL"];
  shutdownTimeoutMs: number;
  kafka: KafkaConnection;
  namespace: Namespace;
  deliveryTimeoutMs: number;
  lingerMs: number;
  transport: Env["TRANSPORT"];
  group: GroupSettings;
  librdkafkaPath: string | undefined;
  maxQueuedMessages: number;
  producer: {
    apiToken: string | undefined;
    /** PRODUCER_API_KEYS as written (parsed by the producer's auth module). */
    apiKeys: string | undefined;
    jwt: { jwksUrl: string; issuer: string; audience: string; topicsClaim: string } | undefined;
    maxBodyBytes: number;
    idempotencyWindowMs: number;
    idempotencyMaxKeys: number;
    /** `memory`, or the Valkey/Redis URL every instance shares. */
    idempotencyStore: string;
    eventSource: string;
    accessLog: AccessLogSettings;
  };
  consumer: ConsumerSettings;
  /** The consumer's database (DATABASE_URL): `sqlite:<path>` or `postgres://…`, which may carry a password: never log it. */
  databaseUrl: string;
  console: ConsoleSettings;
}

export interface ConsoleSettings {
  /** The producer edge the produce form posts through. */
  producerUrl: string;
  /** A consumer worker's ops address, for its /metrics. */
  consumerUrl: string;
  sampleIntervalMs: number;
}

/** How the worker's consumers take part in their groups. */
export type GroupSettings =
  | { protocol: "classic"; sessionTimeoutMs?: number; heartbeatIntervalMs?: number }
  | { protocol: "consumer"; remoteAssignor?: "uniform" | "range" };

/**
 * The group protocol and what each one allows: under KIP-848 the broker owns assignment and
 * liveness, so the classic client-side settings are refused (and the reverse), never dropped.
 */
function groupSettings(env: Env): GroupSettings {
  const misplaced: string[] = [];
  if (env.KAFKA_GROUP_PROTOCOL === "consumer") {
    if (env.KAFKA_SESSION_TIMEOUT_MS !== undefined) misplaced.push("KAFKA_SESSION_TIMEOUT_MS");
    if (env.KAFKA_HEARTBEAT_INTERVAL_MS !== undefined) misplaced.push("KAFKA_HEARTBEAT_INTERVAL_MS");
    if (misplaced.length > 0) {
      throw new KafkaPairError(
        "CONFIG_INVALID",
        `invalid environment: ${misplaced.join(", ")} cannot be set with KAFKA_GROUP_PROTOCOL=consumer: under KIP-848 ` +
          "the broker decides session timeout and heartbeats (group.consumer.session.timeout.ms, " +
          "group.consumer.heartbeat.interval.ms); unset them, or use KAFKA_GROUP_PROTOCOL=classic",
        { issues: misplaced.map((path) => ({ path, message: "not allowed with KAFKA_GROUP_PROTOCOL=consumer" })) },
      );
    }
    return {
      protocol: "consumer",
      ...(env.KAFKA_GROUP_REMOTE_ASSIGNOR ? { remoteAssignor: env.KAFKA_GROUP_REMOTE_ASSIGNOR } : {}),
    };
  }
  if (env.KAFKA_GROUP_REMOTE_ASSIGNOR !== undefined) {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      "invalid environment: KAFKA_GROUP_REMOTE_ASSIGNOR is a KAFKA_GROUP_PROTOCOL=consumer setting (the broker assigns " +
        "there); under classic the members assign (cooperative-sticky): unset it, or use KAFKA_GROUP_PROTOCOL=consumer",
      { issues: [{ path: "KAFKA_GROUP_REMOTE_ASSIGNOR", message: "not allowed with KAFKA_GROUP_PROTOCOL=classic" }] },
    );
  }
  return {
    protocol: "classic",
    ...(env.KAFKA_SESSION_TIMEOUT_MS !== undefined ? { sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS } : {}),
    ...(env.KAFKA_HEARTBEAT_INTERVAL_MS !== undefined ? { heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS } : {}),
  };
}

export interface AccessLogSettings {
  mode: Env["ACCESS_LOG"];
  /** In `sampled` mode, one successful request in this many is logged. */
  sampleEvery: number;
}

/** Where a fault test may have the consumer killed (see CONSUMER_CRASH_AT). */
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Odds of a SIGKILL per passage of each point; empty outside fault tests. */
export type CrashOdds = Partial<Record<CrashPoint, number>>;

export interface ConsumerSettings {
  /** Module exporting `subscriptions`, resolved from the working directory; the built-in handlers when absent. */
  handlersModule: string | undefined;
  concurrency: number;
  maxRetries: number;
  retryBackoffMs: number;
  retryMaxBackoffMs: number;
  revokeTimeoutMs: number;
  maxBufferedPerPartition: number;
  /** Least time between two offset commits of a subscription (ms). */
  commitIntervalMs: number;
  /** Fault tests only (CONSUMER_CRASH_AT). */
  crashAt?: CrashOdds;
}

const defaultPorts = { producer: 3000, consumer: 3001, console: 8989 } as const;
// The console changes the cluster (replay, produce) without a token only when it listens on loopback.
const defaultHosts = { producer: "0.0.0.0", consumer: "0.0.0.0", console: "127.0.0.1" } as const;

function securityProperties(env: Env): Record<string, string> {
  const props: Record<string, string> = { "security.protocol": env.KAFKA_SECURITY_PROTOCOL };
  const optional: Array<[string, string | undefined]> = [
    ["sasl.mechanisms", env.KAFKA_SASL_MECHANISM],
    ["sasl.username", env.KAFKA_SASL_USERNAME],
    ["sasl.password", env.KAFKA_SASL_PASSWORD],
    ["ssl.ca.location", env.KAFKA_SSL_CA_LOCATION],
    ["ssl.certificate.location", env.KAFKA_SSL_CERTIFICATE_LOCATION],
    ["ssl.key.location", env.KAFKA_SSL_KEY_LOCATION],
  ];
  for (const [key, value] of optional) if (value) props[key] = value;
  return props;
}

/** The process environment on Node and on Deno (which provides `process` too). */
export function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
}

/** Parse and validate once at boot; a bad variable stops the worker with every problem listed. */
export function loadConfig(role: WorkerConfig["role"], source = processEnv()): WorkerConfig {
  const parsed = v.safeParse(Env, source);
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => ({
      path: v.getDotPath(issue) ?? "(env)",
      message: issue.message,
    }));
    throw new KafkaPairError(
      "CONFIG_INVALID",
      `invalid environment: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      { issues },
    );
  }
  const env = parsed.output;
  const portParsed = v.safeParse(port(defaultPorts[role]), env.PORT);
  if (!portParsed.success) {
    throw new KafkaPairError("CONFIG_INVALID", `invalid environment: PORT: ${portParsed.issues[0].message}`, {
      issues: [{ path: "PORT", message: portParsed.issues[0].message }],
    });
  }
  return {
    role,
    port: portParsed.output,
    host: env.HOST ?? defaultHosts[role],
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    kafka: {
      bootstrapServers: env.KAFKA_BOOTSTRAP_SERVERS,
      clientId: `${env.KAFKA_CLIENT_ID}-${role}`,
      security: securityProperties(env),
    },
    namespace: namespace(env.KAFKA_NAMESPACE),
    deliveryTimeoutMs: env.KAFKA_DELIVERY_TIMEOUT_MS,
    lingerMs: env.KAFKA_LINGER_MS,
    transport: env.TRANSPORT,
    group: groupSettings(env),
    librdkafkaPath: env.LIBRDKAFKA_PATH,
    maxQueuedMessages: env.KAFKA_MAX_QUEUED_MESSAGES,
    producer: {
      apiToken: env.PRODUCER_API_TOKEN,
      apiKeys: env.PRODUCER_API_KEYS,
      jwt: jwtSettings(env),
      maxBodyBytes: env.PRODUCER_MAX_BODY_BYTES,
      idempotencyWindowMs: env.IDEMPOTENCY_WINDOW_MS,
      idempotencyMaxKeys: env.IDEMPOTENCY_MAX_KEYS,
      idempotencyStore: env.IDEMPOTENCY_STORE,
      eventSource: env.PRODUCER_EVENT_SOURCE,
      accessLog: { mode: env.ACCESS_LOG, sampleEvery: env.ACCESS_LOG_SAMPLE_EVERY },
    },
    consumer: {
      handlersModule: env.CONSUMER_HANDLERS,
      concurrency: env.CONSUMER_CONCURRENCY,
      maxRetries: env.CONSUMER_MAX_RETRIES,
      retryBackoffMs: env.CONSUMER_RETRY_BACKOFF_MS,
      retryMaxBackoffMs: env.CONSUMER_RETRY_MAX_BACKOFF_MS,
      revokeTimeoutMs: env.CONSUMER_REVOKE_TIMEOUT_MS,
      maxBufferedPerPartition: env.CONSUMER_MAX_BUFFERED_PER_PARTITION,
      commitIntervalMs: env.CONSUMER_COMMIT_INTERVAL_MS,
      crashAt: crashOdds(env.CONSUMER_CRASH_AT),
    },
    databaseUrl: env.DATABASE_URL,
    console: {
      producerUrl: env.CONSOLE_PRODUCER_URL,
      consumerUrl: env.CONSOLE_CONSUMER_URL,
      sampleIntervalMs: env.CONSOLE_SAMPLE_INTERVAL_MS,
    },
  };
}

function crashOdds(spec: string | undefined): CrashOdds {
  const odds: CrashOdds = {};
  for (const pair of spec?.split(",") ?? []) {
    const [point, value] = pair.split("=") as [CrashPoint, string];
    odds[point] = Number(value);
  }
  return odds;
}

/** JWT acceptance needs all three of the JWKS, the issuer and the audience: half a configuration is refused. */
function jwtSettings(env: Env): WorkerConfig["producer"]["jwt"] {
  const { PRODUCER_JWKS_URL: jwksUrl, PRODUCER_JWT_ISSUER: issuer, PRODUCER_JWT_AUDIENCE: audience } = env;
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl || !issuer || !audience) {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      "invalid environment: PRODUCER_JWKS_URL, PRODUCER_JWT_ISSUER and PRODUCER_JWT_AUDIENCE go together",
      { issues: [{ path: "PRODUCER_JWKS_URL", message: "set all three, or none" }] },
    );
  }
  return { jwksUrl, issuer, audience, topicsClaim: env.PRODUCER_JWT_TOPICS_CLAIM };
}
