// Test support for the consumer's unit tests (not shipped): a worker's pieces on the in-memory cluster.

import { contracts, ordersTopic } from "@kafka-pair/shared/contracts";
import type { ConsumerSettings } from "@kafka-pair/shared/runtime";
import { createLogger, namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { memoryTransport } from "@kafka-pair/shared/testing";

export { anOrder, until } from "@kafka-pair/shared/testing";

import type { BatchSubscription, EventSubscription, MessageContext, Subscription } from "./handler.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { SubscriptionRunner } from "./runner.ts";
import type { Clock } from "./runtime/clock.ts";

export const settings: ConsumerSettings = {
  handlersModule: undefined,
  concurrency: 4,
  maxRetries: 2,
  retryBackoffMs: 1,
  retryMaxBackoffMs: 2,
  revokeTimeoutMs: 1_000,
  maxBufferedPerPartition: 100,
  // Commits leave as soon as the previous one is answered: the runner tests read them at once.
  commitIntervalMs: 0,
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
    write: (value: unknown, key: string | null = "k") =>
      producer.send({
        topic: ordersTopic.name,
        key,
        value: utf8.encode(typeof value === "string" ? value : JSON.stringify(value)),
      }),
  };
}

export type Handle = (event: unknown, context: MessageContext) => Promise<void>;

export function ordersSubscription(handle: Handle, groupId = "orders_group"): EventSubscription {
  return { contract: ordersTopic, groupId, fromBeginning: true, handle };
}

/**
 * A clock whose time moves only when the test says: sleeps settle on `advance`, or reject when
 * their signal aborts. No real time passes in a unit test.
 */
export function manualClock(start = 1_000_000) {
  let now = start;
  const sleepers = new Set<{ at: number; resolve: () => void }>();
  const clock: Clock & { advance(ms: number): Promise<void>; sleepers(): number; delays: number[] } = {
    delays: [],
    now: () => now,
    sleep(ms, signal) {
      clock.delays.push(ms);
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper = {
          at: now + ms,
          resolve: () => {
            signal?.removeEventListener("abort", abort);
            resolve();
          },
        };
        const abort = () => {
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", abort, { once: true });
        sleepers.add(sleeper);
      });
    },
    async advance(ms) {
      now += ms;
      for (const sleeper of [...sleepers]) {
        if (sleeper.at <= now) {
          sleepers.delete(sleeper);
          sleeper.resolve();
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
    sleepers: () => sleepers.size,
  };
  return clock;
}

/** A clock whose sleeps end at the next turn of the event loop (the delays asked for are recorded). */
export function instantClock(): Clock & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        delays.push(ms);
        if (signal?.aborted) return reject(signal.reason);
        setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve()));
      }),
  };
}

type Policies = Partial<Pick<EventSubscription, "ordering" | "maxInFlight" | "onFailure">>;
interface RunnerOptions {
  clock?: Clock;
  subscription?: Policies;
  metrics?: ReturnType<typeof createConsumerMetrics>;
}

/** A runner for the orders topic over `k`'s cluster; the test starts and stops it. */
export function runner(
  k: Awaited<ReturnType<typeof kafka>>,
  handle: Handle,
  overrides: Partial<ConsumerSettings> = {},
  options: RunnerOptions = {},
) {
  return runnerFor(k, { ...ordersSubscription(handle), ...options.subscription }, overrides, options);
}

/** A runner for the orders topic with a batch handler. */
export function batchRunner(
  k: Awaited<ReturnType<typeof kafka>>,
  handleBatch: BatchSubscription["handleBatch"],
  batch: BatchSubscription["batch"],
  overrides: Partial<ConsumerSettings> = {},
  options: RunnerOptions = {},
) {
  const subscription: BatchSubscription = {
    contract: ordersTopic,
    groupId: "orders_group",
    fromBeginning: true,
    handleBatch,
    batch,
    ...options.subscription,
  };
  return runnerFor(k, subscription, overrides, options);
}

function runnerFor(
  k: Awaited<ReturnType<typeof kafka>>,
  subscription: Subscription,
  overrides: Partial<ConsumerSettings>,
  options: RunnerOptions,
) {
  return new SubscriptionRunner({
    transport: k.transport,
    producer: k.producer,
    subscription,
    namespace: namespace(""),
    logger: k.logger,
    metrics: options.metrics ?? createConsumerMetrics(() => []),
    settings: { ...settings, ...overrides },
    clock: options.clock ?? instantClock(),
  });
}
