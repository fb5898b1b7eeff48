import * as v from "valibot";
import { KafkaPairError } from "./errors.ts";
import { type Namespace, namespace } from "./namespace.ts";

const port = (fallback: number) =>
  v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(65535)), String(fallback));

const positiveInt = (fallback: number) =>
  v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0)), String(fallback));

const bootstrapServers = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, "must be host:port[,host:port...]"),
);

/** Every variable the workers read, with its default. Nothing else touches the environment. */
export const Env = v.object({
  KAFKA_BOOTSTRAP_SERVERS: v.optional(bootstrapServers, "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"),
  KAFKA_CLIENT_ID: v.optional(v.pipe(v.string(), v.nonEmpty()), "kafka-pair"),
  /** Prefix for every topic and group name, e.g. `staging.`; empty by default. */
  KAFKA_NAMESPACE: v.optional(
    v.pipe(v.string(), v.regex(/^[a-zA-Z0-9._-]{0,100}$/, "letters, digits, . _ - only")),
    "",
  ),
  KAFKA_SECURITY_PROTOCOL: v.optional(v.picklist(["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]), "plaintext"),
  KAFKA_SASL_MECHANISM: v.optional(v.picklist(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])),
  KAFKA_SASL_USERNAME: v.optional(v.string()),
  KAFKA_SASL_PASSWORD: v.optional(v.string()),
  KAFKA_SSL_CA_LOCATION: v.optional(v.string()),
  KAFKA_SSL_CERTIFICATE_LOCATION: v.optional(v.string()),
  KAFKA_SSL_KEY_LOCATION: v.optional(v.string()),
  /** Upper bound on how long a produce may wait for its delivery report (the tutorial's 10 s). */
  KAFKA_DELIVERY_TIMEOUT_MS: positiveInt(10_000),
  /**
   * librdkafka's and Java's own default: under concurrent requests, fewer and larger produce
   * requests cost the client and brokers far less (README, "Batching: linger.ms"). 0 suits one
   * caller sending strictly one event at a time.
   */
  KAFKA_LINGER_MS: positiveInt(5),
  PORT: v.optional(v.string()),
  HOST: v.optional(v.string(), "0.0.0.0"),
  LOG_LEVEL: v.optional(v.picklist(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
  SHUTDOWN_TIMEOUT_MS: positiveInt(15_000),
  /** Which Kafka client adapter the workers use: librdkafka (default) or pure-JS KafkaJS. */
  TRANSPORT: v.optional(v.picklist(["confluent", "kafkajs"]), "confluent"),
  /** Bound on records waiting in the producer's local queue: past it, requests get 503 instead of memory. */
  KAFKA_MAX_QUEUED_MESSAGES: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100000"),
  /** When set, every producing route needs `Authorization: Bearer <token>`. */
  PRODUCER_API_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, "use at least 16 characters"))),
  PRODUCER_MAX_BODY_BYTES: v.optional(
    v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)),
    String(5 * 1024 * 1024),
  ),
  /** How long an Idempotency-Key replays its first answer. */
  IDEMPOTENCY_WINDOW_MS: positiveInt(24 * 60 * 60 * 1000),
  IDEMPOTENCY_MAX_KEYS: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100000"),
  /**
   * Producer access log: one info line per HTTP request (`all`), one per `ACCESS_LOG_SAMPLE_EVERY`
   * successful requests (`sampled`), or none (`off`). Answers ≥ 500 are always logged in `all`
   * and `sampled`; refused requests (4xx) are logged by the error handler at any setting. At the
   * default, a line per request was a synchronous stdout write costing about a fifth of the
   * single-event throughput (docs/benchmark.md).
   */
  ACCESS_LOG: v.optional(v.picklist(["all", "sampled", "off"]), "sampled"),
  ACCESS_LOG_SAMPLE_EVERY: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "100"),
  /** CloudEvents `source` stamped on events whose request did not name one. */
  PRODUCER_EVENT_SOURCE: v.optional(v.pipe(v.string(), v.nonEmpty()), "/kafka-pair/producer"),
  /**
   * Consumer: a module exporting `subscriptions` to run instead of consumer/src/handlers
   * (a path from the working directory, e.g. test/handlers/behaviours.ts for the e2e tests).
   */
  CONSUMER_HANDLERS: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^[^\0]+\.(ts|js|mjs)$/, "must be a path to a .ts, .js or .mjs module")),
  ),
  /** Consumer: handlers running at once per subscription (each partition stays in order). */
  CONSUMER_CONCURRENCY: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "4"),
  /** Consumer: retries of a throwing handler before its event goes to the dead-letter topic. */
  CONSUMER_MAX_RETRIES: positiveInt(3),
  /** Consumer: first retry delay; it doubles on each retry up to CONSUMER_RETRY_MAX_BACKOFF_MS. */
  CONSUMER_RETRY_BACKOFF_MS: positiveInt(200),
  CONSUMER_RETRY_MAX_BACKOFF_MS: positiveInt(10_000),
  /** Consumer: how long handlers of revoked partitions may take to finish before the partitions go. */
  CONSUMER_REVOKE_TIMEOUT_MS: positiveInt(10_000),
  /** Consumer: records buffered per partition before fetching from it pauses. */
  CONSUMER_MAX_BUFFERED_PER_PARTITION: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1)), "500"),
});
export type Env = v.InferOutput<typeof Env>;

export interface KafkaConnection {
  bootstrapServers: string;
  clientId: string;
  /** librdkafka security properties, passed through as they are. */
  security: Record<string, string>;
}

export interface WorkerConfig {
  role: "producer" | "consumer";
  port: number;
  host: string;
  logLevel: Env["LOG_LEVEL"];
  shutdownTimeoutMs: number;
  kafka: KafkaConnection;
  namespace: Namespace;
  deliveryTimeoutMs: number;
  lingerMs: number;
  transport: Env["TRANSPORT"];
  maxQueuedMessages: number;
  producer: {
    apiToken: string | undefined;
    maxBodyBytes: number;
    idempotencyWindowMs: number;
    idempotencyMaxKeys: number;
    eventSource: string;
    accessLog: AccessLogSettings;
  };
  consumer: ConsumerSettings;
}

export interface AccessLogSettings {
  mode: Env["ACCESS_LOG"];
  /** In `sampled` mode, one successful request in this many is logged. */
  sampleEvery: number;
}

export interface ConsumerSettings {
  /** Module exporting `subscriptions`, resolved from the working directory; the built-in handlers when absent. */
  handlersModule: string | undefined;
  concurrency: number;
  maxRetries: number;
  retryBackoffMs: number;
  retryMaxBackoffMs: number;
  revokeTimeoutMs: number;
  maxBufferedPerPartition: number;
}

const defaultPorts = { producer: 3000, consumer: 3001 } as const;

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
    host: env.HOST,
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
    maxQueuedMessages: env.KAFKA_MAX_QUEUED_MESSAGES,
    producer: {
      apiToken: env.PRODUCER_API_TOKEN,
      maxBodyBytes: env.PRODUCER_MAX_BODY_BYTES,
      idempotencyWindowMs: env.IDEMPOTENCY_WINDOW_MS,
      idempotencyMaxKeys: env.IDEMPOTENCY_MAX_KEYS,
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
    },
  };
}
