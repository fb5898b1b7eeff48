/**
 * Transport-level throughput with N concurrent awaited sends (what N HTTP clients cause),
 * no HTTP involved: `npx tsx bench/measure/concurrent-send.ts [concurrency] [seconds]`.
 */
import confluentLib from "@confluentinc/kafka-javascript";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import { confluentTransport } from "@kafka-pair/shared/transport/node";
import * as hdr from "hdr-histogram-js";
import { BROKER_IDS, brokerPid } from "../../scripts/kafka/launcher.ts";
import { processCpuSeconds } from "../lib/proc.ts";
import { kafkaJsTransport } from "../peers/kafkajs/index.ts";

/** CPU seconds of the launcher's brokers so far (NaN when they are not local processes). */
function brokersCpu(): number {
  let total = 0;
  for (const id of BROKER_IDS) {
    const pid = brokerPid(id);
    total += pid === null ? Number.NaN : processCpuSeconds(pid);
  }
  return total;
}

const concurrency = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 8);
const config = loadConfig("producer");
const logger = createLogger("measure", "warn");
const topic = `measure-concurrent-${Date.now()}`;
const value = new Uint8Array(1024).fill(120);

async function run(name: string, producer: ProducerTransport) {
  await producer.connect();
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const cpu = process.cpuUsage();
  const brokersBefore = brokersCpu();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        await producer.send({ topic, key: Math.random().toString(36).slice(2), value });
        histogram.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
        done++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const brokersUs = ((brokersCpu() - brokersBefore) / done) * 1e6;
  await producer.disconnect();
  const ms = (p: number) => (histogram.getValueAtPercentile(p) / 1000).toFixed(1);
  console.log(
    `${name.padEnd(40)} ${(done / elapsed).toFixed(0).padStart(6)} msg/s  p50 ${ms(50).padStart(6)} ms  p99 ${ms(99).padStart(7)} ms  cpu ${(((used.user + used.system) / 1e6 / done) * 1e6).toFixed(0)} µs/msg, brokers ${brokersUs.toFixed(0)} µs/msg`,
  );
}

const admin = confluentTransport({ connection: config.kafka, logger, deliveryTimeoutMs: 10_000, lingerMs: 0 }).admin();
await admin.connect();
await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 3 }]);
try {
  const confluent = (lingerMs: number, maxInFlight?: number) =>
    confluentTransport({
      connection: config.kafka,
      logger,
      deliveryTimeoutMs: 10_000,
      lingerMs,
      maxInFlight,
    }).producer();
  // The Confluent client's own promise API (also polled by librdkafka's background thread).
  const confluentPromiseApi = (lingerMs: number): ProducerTransport => {
    const kafka = new confluentLib.KafkaJS.Kafka({
      kafkaJS: { brokers: config.kafka.bootstrapServers.split(","), logLevel: 0 },
    });
    const producer = kafka.producer({ "linger.ms": lingerMs, kafkaJS: { idempotent: true, acks: -1 } });
    return {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      isReady: () => true,
      flush: () => Promise.resolve(),
      send: async (record) => {
        const [meta] = await producer.send({
          topic: record.topic,
          messages: [{ key: record.key, value: Buffer.from(record.value) }],
        });
        return {
          topic: record.topic,
          partition: meta?.partition ?? 0,
          offset: meta?.baseOffset ?? "0",
          timestamp: Date.now(),
        };
      },
    };
  };
  // MEASURE_LINGERS="0,0.5,1,2" compares just those linger.ms values of our adapter.
  const lingers = process.env.MEASURE_LINGERS?.split(",").map(Number);
  if (lingers) {
    for (const linger of lingers) await run(`confluent produce()+dr, linger.ms=${linger}`, confluent(linger));
  } else {
    const rounds = process.argv[4] === "all" ? ["a", "b"] : ["a"];
    for (const _ of rounds) {
      await run("confluent produce()+dr, linger.ms=0", confluent(0));
      await run("confluent produce()+dr, linger.ms=2", confluent(2));
      await run("confluent produce()+dr, linger 0, in-flight 1", confluent(0, 1));
      await run("confluent produce()+dr, linger 1, in-flight 1", confluent(1, 1));
      await run("confluent promise send(), linger.ms=0", confluentPromiseApi(0));
      await run("confluent promise send(), linger.ms=2", confluentPromiseApi(2));
      await run(
        "kafkajs adapter",
        kafkaJsTransport({ connection: config.kafka, logger, deliveryTimeoutMs: 10_000 }).producer(),
      );
    }
  }
} finally {
  await admin.deleteTopics([topic]);
  await admin.disconnect();
}
