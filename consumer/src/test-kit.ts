// Test support for the consumer's unit tests (not shipped): a worker's pieces on the in-memory cluster.
import type { ConsumerSettings } from "@kafka-pair/shared/config";
import { contracts, ordersTopic } from "@kafka-pair/shared/contracts";
import { createLogger } from "@kafka-pair/shared/log";
import { namespace } from "@kafka-pair/shared/namespace";
import { provisionTopics } from "@kafka-pair/shared/startup";
import { memoryTransport } from "@kafka-pair/shared/transport/memory";

export { anOrder, until } from "@kafka-pair/shared/testing";

import type { MessageContext, Subscription } from "./handler.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { SubscriptionRunner } from "./runner.ts";

export const settings: ConsumerSettings = {
  handlersModule: undefined,
  concurrency: 4,
  maxRetries: 2,
  retryBackoffMs: 1,
  retryMaxBackoffMs: 2,
  revokeTimeoutMs: 1_000,
  maxBufferedPerPartition: 100,
};

const utf8 = new TextEncoder();

/** A provisioned in-memory cluster with a connected producer for writing test records. */
export async function kafka() {
  const transport = memoryTransport();
  const logger = createLogger("test", "silent");
  await provisionTopics(transport, contracts, namespace(""), logger);
  const producer = transport.producer();
  await producer.connect();
  return {
    transport,
    cluster: transport.cluster,
    producer,
    logger,
    /** Writes an order (or raw text) to the orders topic, keyed like the producer worker does. */
    write: (value: unknown, key = "k") =>
      producer.send({
        topic: ordersTopic.name,
        key,
        value: utf8.encode(typeof value === "string" ? value : JSON.stringify(value)),
      }),
  };
}

export type Handle = (event: unknown, context: MessageContext) => Promise<void>;

export function ordersSubscription(handle: Handle, groupId = "orders_group"): Subscription {
  return { contract: ordersTopic, groupId, fromBeginning: true, handle };
}

/** A runner for the orders topic over `k`'s cluster; the test starts and stops it. */
export function runner(
  k: Awaited<ReturnType<typeof kafka>>,
  handle: Handle,
  overrides: Partial<ConsumerSettings> = {},
) {
  return new SubscriptionRunner({
    transport: k.transport,
    producer: k.producer,
    subscription: ordersSubscription(handle),
    namespace: namespace(""),
    logger: k.logger,
    metrics: createConsumerMetrics(() => []),
    settings: { ...settings, ...overrides },
  });
}
