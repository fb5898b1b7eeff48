// Bench-only consumer entry: the real consumer runtime (bootConsumer, SubscriptionRunner, the
// orders handler) with one subscription whose group and start the runner chooses, plus
// /bench/stats and /bench/reset for what the handler measured.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import { bootConsumer } from "@kafka-pair/consumer/boot";
import { DELIVERIES, type Delivery, ORDERINGS, type Ordering, subscribe } from "@kafka-pair/consumer/handler";
import { confirmationOf } from "@kafka-pair/consumer/handlers/orders";
import { insertOrder } from "@kafka-pair/consumer/orders/repository";
import { ordersConfirmedTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import type { KafkaTransport } from "@kafka-pair/shared/transport";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { encodeHistogram, newHistogram, recordMs } from "../lib/hist.ts";
import { timerCommits } from "../lib/timer-commits.ts";
import { kafkaJsTransport } from "../peers/kafkajs/index.ts";

const { values: args } = parseArgs({
  options: {
    group: { type: "string", default: "bench" },
    from: { type: "string", default: "earliest" },
    commit: { type: "string", default: "manual" },
    // The product's client (librdkafka), or the KafkaJS peer (bench/peers/kafkajs).
    client: { type: "string", default: "confluent" },
    /** The subscription's ordering (default: the runtime's own default, key). */
    ordering: { type: "string" },
    /** A wait per message in the handler, standing for its I/O (a database write, an HTTP call). */
    "io-ms": { type: "string", default: "0" },
    /**
     * Unset: the orders handler's confirmation is not emitted (the consume rows measure consuming
     * alone). `at-least-once` / `exactly-once`: emitted to orders.confirmed under that delivery.
     */
    delivery: { type: "string" },
    /** Exactly-once: events per transaction at most (the subscription's `transaction.maxEvents`). */
    "tx-events": { type: "string", default: "500" },
    /** Exactly-once with the worker's database (DATABASE_URL): each order stored in the `orders` table. */
    store: { type: "boolean", default: false },
    /** Record each event's end-to-end latencies (the e2e scenario): off in the drain rows, where they are the bench's own cost per event. */
    latency: { type: "boolean", default: false },
    "stats-file": { type: "string" },
    /** Keep each handled message's partition and time: served at /bench/trace, written here at exit (bench/rebalance.ts). */
    "trace-file": { type: "string" },
  },
});

const config = loadConfig("consumer");
const logger = createLogger("consumer", config.logLevel);
const chosen =
  args.client === "kafkajs"
    ? kafkaJsTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs })
    : await createTransport(config, logger);
// The auto-commit baseline: commits only store, and stored offsets go on a timer (bench/lib/timer-commits.ts).
const transport: KafkaTransport = args.commit === "auto" ? timerCommits(chosen) : chosen;

const stats = {
  processed: 0,
  firstAt: 0,
  lastAt: 0,
  /** Time between consecutive handler calls: what one message costs the runtime, commit included. */
  service: newHistogram(),
  /** Now minus the event's placedAt, which the benchmark stamps when it sends the POST. */
  postToHandler: newHistogram(),
  /** Now minus the producer's stamp: CloudEvents ce_time when present, else the Kafka record timestamp. */
  producedToHandler: newHistogram(),
};
let previous = 0;
/** With --trace-file: [partition, epoch ms when its handler finished] per message, in handling order. */
const trace: Array<[number, number]> = [];
const ioMs = Number(args["io-ms"]);
/** The handler's stand-in for I/O: a plain timer (node:timers/promises' setTimeout costs a few µs more per call, all of it the bench's). */
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ordering = args.ordering as Ordering | undefined;
if (ordering !== undefined && !ORDERINGS.includes(ordering))
  throw new Error(`--ordering: one of ${ORDERINGS.join(", ")}`);
/**
 * The per-key order check: per partition and key, the offset last started and whether one is in
 * a handler. A key's event starting while another of its key runs, or before an earlier one, is a
 * violation (expected under `none`, never under `key` or `partition`).
 */
const lastStarted = new Map<string, number>();
const running = new Set<string>();
let orderViolations = 0;

const delivery = args.delivery as Delivery | undefined;
if (delivery !== undefined && !DELIVERIES.includes(delivery))
  throw new Error(`--delivery: one of ${DELIVERIES.join(", ")}`);

const benchOrders = subscribe({
  contract: ordersTopic,
  groupId: args.group,
  fromBeginning: args.from === "earliest",
  ...(ordering ? { ordering } : {}),
  ...(delivery
    ? {
        delivery,
        emits: [ordersConfirmedTopic],
        transaction: { maxEvents: Number(args["tx-events"]), maxWaitMs: 100 },
        ...(args.store ? { store: true, ordering: "partition" as const } : {}),
      }
    : {}),
  async handle(order, context) {
    const key = `${context.partition}\u0000${context.key}`;
    // Offsets stay far below 2^53 in a bench: a number compares without a BigInt per event.
    const offset = Number(context.offset);
    const last = lastStarted.get(key);
    if (running.has(key) || (last !== undefined && last >= offset)) orderViolations++;
    lastStarted.set(key, offset);
    running.add(key);
    // The example's work without its database (the store rows are not benched yet): confirm, log.
    const confirmed = confirmationOf(order);
    // The bench's backlog repeats a pool of orders: each consumed record is its own row, keyed by its place.
    if (context.db)
      await insertOrder(context.db, { ...order, orderId: `${context.partition}/${context.offset}` }, context);
    // Without a delivery the runtime has no emit: the consume rows measure consuming alone.
    if (delivery) await context.emit(ordersConfirmedTopic, confirmed);
    context.logger.info(
      { orderId: order.orderId, totalCents: confirmed.totalCents, currency: order.currency },
      "order placed",
    );
    if (ioMs > 0) await wait(ioMs);
    running.delete(key);
    const tick = performance.now();
    const now = Date.now();
    if (previous > 0) recordMs(stats.service, tick - previous);
    previous = tick;
    stats.processed++;
    if (args["trace-file"]) trace.push([context.partition, now]);
    stats.firstAt ||= now;
    stats.lastAt = now;
    if (args.latency) {
      recordMs(stats.postToHandler, now - Date.parse(order.placedAt));
      const stamped = Date.parse(context.headers.ce_time ?? "");
      recordMs(stats.producedToHandler, now - (Number.isNaN(stamped) ? context.timestamp : stamped));
    }
  },
});

function snapshot() {
  return {
    pid: process.pid,
    transport: transport.name,
    processed: stats.processed,
    orderViolations,
    keys: lastStarted.size,
    firstAt: stats.firstAt,
    lastAt: stats.lastAt,
    service: encodeHistogram(stats.service),
    postToHandler: encodeHistogram(stats.postToHandler),
    producedToHandler: encodeHistogram(stats.producedToHandler),
  };
}

const worker = await bootConsumer({
  config,
  logger,
  transport,
  subscriptions: [benchOrders],
  serve: (fetch, { port, hostname, onListen }) =>
    serve(
      {
        fetch: (request) => {
          const path = new URL(request.url).pathname;
          if (path === "/bench/stats") return Response.json(snapshot());
          if (path === "/bench/trace") return Response.json(trace);
          if (path === "/bench/reset" && request.method === "POST") {
            stats.processed = 0;
            orderViolations = 0;
            stats.firstAt = 0;
            stats.lastAt = 0;
            previous = 0;
            stats.service.reset();
            stats.postToHandler.reset();
            stats.producedToHandler.reset();
            return Response.json({ reset: true });
          }
          return fetch(request);
        },
        port,
        hostname,
      },
      (info) => onListen(info.port),
    ),
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(
    signal,
    () =>
      void worker.shutdown(signal).then((code) => {
        // The final count, after the last commit: what the runner compares with committed offsets.
        if (args["stats-file"]) writeFileSync(args["stats-file"], JSON.stringify(snapshot()));
        if (args["trace-file"]) writeFileSync(args["trace-file"], JSON.stringify(trace));
        process.exit(code);
      }),
  );
}
