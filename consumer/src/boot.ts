import type { TopicContract } from "@kafka-pair/shared/contracts";
import type { Logger, WorkerConfig } from "@kafka-pair/shared/runtime";
import { connectInBackground, provisionTopics, type Serve } from "@kafka-pair/shared/runtime";
import type { KafkaTransport } from "@kafka-pair/shared/transport";
import pTimeout from "p-timeout";
import { createConsumerApp } from "./app.ts";
import type { Subscription } from "./handler.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { ordersMigration } from "./orders/migration.ts";
import { findOrder } from "./orders/repository.ts";
import { SubscriptionRunner } from "./runner.ts";
import { openStore } from "./store/open.ts";
import type { OffsetStore } from "./store/types.ts";

export interface RunningConsumer {
  /** Stop fetching, finish the messages in hand, commit, leave the groups. Resolves with the exit code. */
  shutdown(signal: string): Promise<number>;
}

/**
 * The contracts this worker's subscriptions read or emit to, each once: the topics it provisions (each with
 * its dead-letter topic), wherever they are declared — a handler module given through
 * CONSUMER_HANDLERS may bring a contract outside the shared module-level list.
 */
export function contractsOf(subscriptions: readonly Subscription[]): TopicContract[] {
  const byName = new Map<string, TopicContract>();
  for (const { contract, emits = [] } of subscriptions) {
    for (const c of [contract, ...emits]) if (!byName.has(c.name)) byName.set(c.name, c);
  }
  return [...byName.values()];
}

/**
 * Opens the consumer's database (DATABASE_URL) and brings its tables up to date: the store's own
 * and the example's `orders`. A failure names the database and what failed, and stops the boot.
 */
export async function openConsumerStore(config: WorkerConfig, logger: Logger): Promise<OffsetStore> {
  let store: OffsetStore | undefined;
  try {
    store = await openStore(config.databaseUrl, { migrations: [ordersMigration] });
    await store.migrate();
  } catch (err) {
    await store?.close().catch(() => undefined);
    // The error's message names the database (never its password) and the step that failed.
    logger.fatal({ err }, "could not prepare the consumer's database");
    throw err;
  }
  logger.info({ database: store.name }, "database ready");
  return store;
}

/** Boots the consumer worker on any runtime: its database, its subscriptions' topics, one runner per subscription, ops HTTP. */
export async function bootConsumer(deps: {
  config: WorkerConfig;
  logger: Logger;
  transport: KafkaTransport;
  subscriptions: readonly Subscription[];
  serve: Serve;
}): Promise<RunningConsumer> {
  const { config, logger, transport } = deps;
  // Dead letters go through one producer shared by every subscription (connected below).
  const producer = transport.producer();

  let draining = false;
  let stopping: Promise<number> | undefined;
  const runners: SubscriptionRunner[] = [];
  const metrics = createConsumerMetrics(() => runners.flatMap((r) => r.lagSamples()));
  // Before the runners: `store: true` subscriptions keep their positions there, and those decide
  // where they start; nothing has joined a group yet.
  const store = await openConsumerStore(config, logger);
  for (const subscription of deps.subscriptions) {
    runners.push(
      new SubscriptionRunner({
        transport,
        producer,
        subscription,
        namespace: config.namespace,
        logger,
        metrics,
        settings: config.consumer,
        store,
      }),
    );
  }
  const app = createConsumerApp({
    runners,
    isDraining: () => draining,
    registry: metrics.registry,
    // The dead-letter producer watches broker reachability (the rule the producer worker's /ready uses).
    kafkaReady: () => producer.isReady(),
    findOrder: (orderId) => findOrder(store, orderId),
    logger,
  });
  const server = deps.serve(app.fetch, {
    port: config.port,
    hostname: config.host,
    onListen: (port) =>
      logger.info({ port, bootstrap: config.kafka.bootstrapServers, transport: transport.name }, "consumer listening"),
  });
  // Kafka may be down at start-up: serve /health and a not-ready /ready meanwhile, and keep trying.
  const started = new Set<SubscriptionRunner>();
  let provisioned = false;
  const connectKafka = async () => {
    if (!provisioned) {
      await provisionTopics(transport, contractsOf(deps.subscriptions), config.namespace, logger);
      await producer.connect();
      provisioned = true;
    }
    for (const runner of runners) {
      if (draining || started.has(runner)) continue;
      await runner.start();
      started.add(runner);
    }
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
    logger.info({ signal }, "stopping: finishing the messages in hand");
    // Each runner stops fetching, lets its handlers finish, commits, and leaves its group.
    const stopped = Promise.all(runners.map((r) => r.stop()))
      .then(() => producer.disconnect())
      // Last: a runner may still be committing a position while it stops.
      .then(() => store.close())
      .then(() => false);
    const late = await pTimeout(stopped, { milliseconds: config.shutdownTimeoutMs, fallback: () => true });
    server.close();
    if (late) {
      logger.error("shutdown timed out");
      return 1;
    }
    logger.info("consumer stopped");
    return 0;
  }
}
