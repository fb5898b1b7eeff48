/**
 * Measures what one awaited send costs with each way of using the Confluent client, so the
 * producer's choice is a measurement: `npx tsx bench/measure/send-latency.ts [count]`.
 * Sequential sends (one in flight), 1 KiB values, acks=all, idempotent, against the configured cluster.
 */
import confluent from "@confluentinc/kafka-javascript";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { confluentTransport } from "@kafka-pair/shared/transport/node";
import * as hdr from "hdr-histogram-js";

const count = Number(process.argv[2] ?? 300);
const config = loadConfig("producer");
const logger = createLogger("measure", "warn");
const topic = `measure-send-latency-${Date.now()}`;
const value = new Uint8Array(1024).fill(120);
// Random keys spread every variant over all partitions and leaders alike.
const randomKey = () => Math.random().toString(36).slice(2);
const common = {
  "bootstrap.servers": config.kafka.bootstrapServers,
  ...config.kafka.security,
  "enable.idempotence": true,
  acks: -1,
} as const;

async function measure(name: string, send: () => Promise<unknown>) {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (let i = 0; i < 20; i++) await send(); // warm-up: connections, metadata
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await send();
    histogram.recordValue(Number((process.hrtime.bigint() - start) / 1000n));
  }
  const ms = (p: number) => (histogram.getValueAtPercentile(p) / 1000).toFixed(2);
  console.log(
    `${name.padEnd(52)} p50 ${ms(50).padStart(7)} ms  p99 ${ms(99).padStart(7)} ms  max ${(histogram.maxValue / 1000).toFixed(1)} ms`,
  );
}

const admin = confluentTransport({ connection: config.kafka, logger, deliveryTimeoutMs: 10_000, lingerMs: 0 }).admin();
await admin.connect();
await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 3 }]);
try {
  // 1. Ours: produce() + delivery-report event, polled by librdkafka's background thread, linger 0.
  const ours = confluentTransport({
    connection: config.kafka,
    logger,
    deliveryTimeoutMs: 10_000,
    lingerMs: 0,
  }).producer();
  await ours.connect();
  await measure("produce + dr event, background poll, linger.ms=0 (ours)", () =>
    ours.send({ topic, key: randomKey(), value }),
  );
  await ours.disconnect();

  // 2. The same with librdkafka's default linger (5 ms).
  const lingering = confluentTransport({
    connection: config.kafka,
    logger,
    deliveryTimeoutMs: 10_000,
    lingerMs: 5,
  }).producer();
  await lingering.connect();
  await measure("produce + dr event, background poll, linger.ms=5", () =>
    lingering.send({ topic, key: randomKey(), value }),
  );
  await lingering.disconnect();

  // 3. The trap of confluent-kafka-javascript #42: delivery reports polled on a JS timer.
  const polled = new confluent.Producer({ ...common, "linger.ms": 0, dr_cb: true });
  const waiting = new Map<number, () => void>();
  let seq = 0;
  polled.on("delivery-report", (_err, report) => waiting.get(report.opaque as number)?.());
  await new Promise<void>((resolve, reject) => polled.connect({}, (err) => (err ? reject(err) : resolve())));
  polled.setPollInterval(100);
  await measure("produce + dr event, setPollInterval(100)", () => {
    const id = seq++;
    return new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      polled.produce(topic, null, Buffer.from(value), randomKey(), null, id);
    });
  });
  await new Promise<void>((resolve) => polled.disconnect(() => resolve()));

  // 4. The KafkaJS-compatible API's awaited send(), defaults and linger 0.
  for (const linger of [undefined, 0]) {
    const kafka = new confluent.KafkaJS.Kafka({
      kafkaJS: { brokers: config.kafka.bootstrapServers.split(","), logLevel: 0 },
    });
    const producer = kafka.producer({
      ...(linger === undefined ? {} : { "linger.ms": linger }),
      kafkaJS: { idempotent: true, acks: -1 },
    });
    await producer.connect();
    await measure(`KafkaJS-style producer.send(), linger.ms=${linger ?? "default"}`, () =>
      producer.send({ topic, messages: [{ key: randomKey(), value: Buffer.from(value) }] }),
    );
    await producer.disconnect();
  }
  const again = confluentTransport({
    connection: config.kafka,
    logger,
    deliveryTimeoutMs: 10_000,
    lingerMs: 0,
  }).producer();
  await again.connect();
  await measure("(ours again, last: order effects)", () => again.send({ topic, key: randomKey(), value }));
  await again.disconnect();
} finally {
  await admin.deleteTopics([topic]);
  await admin.disconnect();
}
