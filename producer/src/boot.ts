import { contracts } from "@kafka-pair/shared/contracts";
import type { Logger, WorkerConfig } from "@kafka-pair/shared/runtime";
import { connectInBackground, provisionTopics, type Serve } from "@kafka-pair/shared/runtime";
import type { KafkaTransport } from "@kafka-pair/shared/transport";
import { createRemoteJWKSet } from "jose";
import { createProducerApp } from "./app.ts";
import { type Authenticator, anyOf, apiKeyAuthenticator, jwtAuthenticator, parseApiKeys } from "./auth/index.ts";
import { type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency.ts";
import { redisKeyValue } from "./idempotency-redis.ts";
import { SharedIdempotencyStore } from "./idempotency-shared.ts";
import { createProducerMetrics } from "./metrics.ts";

export interface RunningProducer {
  /** Stop accepting, wait for in-flight delivery reports, flush, disconnect. Resolves with the exit code. */
  shutdown(signal: string): Promise<number>;
}

/** Boots the producer worker on any runtime: topics from contracts, producer, HTTP edge. */
export async function bootProducer(deps: {
  config: WorkerConfig;
  logger: Logger;
  transport: KafkaTransport;
  serve: Serve;
  /** Overrides IDEMPOTENCY_STORE (tests). */
  idempotency?: IdempotencyStore;
}): Promise<RunningProducer> {
  const { config, logger, transport } = deps;
  // Not connected yet: /ready says 503 and produce requests get 503 until connectKafka() is done.
  const producer = transport.producer();

  let draining = false;
  let stopping: Promise<number> | undefined;
  let inFlight = 0;
  const idempotency = deps.idempotency ?? idempotencyStoreFor(config, logger);
  const app = createProducerApp({
    producer,
    logger,
    namespace: config.namespace,
    metrics: createProducerMetrics(() => producer.stats?.()),
    idempotency,
    apiToken: config.producer.apiToken,
    auth: await authenticatorFor(config),
    eventSource: config.producer.eventSource,
    maxBodyBytes: config.producer.maxBodyBytes,
    accessLog: config.producer.accessLog,
    isDraining: () => draining,
  });
  if (!producer.transaction)
    logger.warn({ transport: transport.name }, "this Kafka client has no transactions: atomic batches are refused");
  const server = deps.serve(
    async (request) => {
      inFlight++;
      try {
        return await app.fetch(request);
      } finally {
        inFlight--;
      }
    },
    {
      port: config.port,
      hostname: config.host,
      onListen: (port) =>
        logger.info(
          { port, bootstrap: config.kafka.bootstrapServers, transport: transport.name },
          "producer listening",
        ),
    },
  );

  // Kafka may be down at start-up: serve /health and a not-ready /ready meanwhile, and keep trying.
  const connectKafka = async () => {
    await provisionTopics(transport, contracts, config.namespace, logger);
    if (!draining) await producer.connect();
  };
  connectInBackground(connectKafka, { logger, stopped: () => draining });

  return {
    // A second call (a relayed signal, a test) waits for the same stop: it never reports a
    // clean exit before the first one has drained and left.
    shutdown(signal) {
      stopping ??= drain(signal);
      return stopping;
    },
  };

  async function drain(signal: string): Promise<number> {
    draining = true;
    logger.info({ signal, inFlight }, "draining");
    const deadline = Date.now() + config.shutdownTimeoutMs;
    server.close();
    // Every request already accepted gets its delivery report before we go.
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await producer.flush(Math.max(0, deadline - Date.now())).catch((err) => logger.error({ err }, "flush failed"));
    await producer.disconnect();
    await idempotency.close().catch((err) => logger.warn({ err }, "closing the Idempotency-Key store failed"));
    logger.info({ inFlight }, "producer stopped");
    return inFlight === 0 ? 0 : 1;
  }
}

/** IDEMPOTENCY_STORE: this instance's memory, or the Valkey/Redis server the fleet shares. */
function idempotencyStoreFor(config: WorkerConfig, logger: Logger): IdempotencyStore {
  const { idempotencyStore, idempotencyMaxKeys, idempotencyWindowMs } = config.producer;
  if (idempotencyStore === "memory")
    return new MemoryIdempotencyStore({ maxKeys: idempotencyMaxKeys, windowMs: idempotencyWindowMs });
  const kv = redisKeyValue(idempotencyStore, { logger, commandTimeoutMs: 1_000 });
  logger.info({ store: new URL(idempotencyStore).host }, "Idempotency-Keys shared through Valkey/Redis");
  return new SharedIdempotencyStore(kv, {
    prefix: `kafka-pair:idempotency:${config.namespace.prefix}`,
    windowMs: idempotencyWindowMs,
    // A claim outlives the longest produce: the delivery timeout, plus a margin for the answer.
    leaseMs: config.deliveryTimeoutMs + 5_000,
  });
}

/**
 * Who may produce: JWTs from the issuer's JWKS and/or API keys, with the single
 * PRODUCER_API_TOKEN as one more key (principal `api-token`, every topic). None configured: open.
 */
async function authenticatorFor(config: WorkerConfig): Promise<Authenticator | undefined> {
  const { apiToken, apiKeys, jwt } = config.producer;
  const keys = apiKeys ? parseApiKeys(apiKeys) : [];
  if (apiToken) keys.push({ principal: "api-token", key: apiToken, topics: "*" });
  const schemes: Authenticator[] = [];
  if (jwt) {
    schemes.push(
      jwtAuthenticator({
        keys: createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
        issuer: jwt.issuer,
        audience: jwt.audience,
        topicsClaim: jwt.topicsClaim,
      }),
    );
  }
  if (keys.length > 0) schemes.push(await apiKeyAuthenticator(keys));
  return schemes.length > 0 ? anyOf(...schemes) : undefined;
}
