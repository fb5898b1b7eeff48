// Probe: N concurrent single-record idempotent sends (what the HTTP edge does), per client, on Deno.
// Every send must resolve with its own offset, and the topic must end with exactly N records.
// deno run -A scripts/deno/probe-concurrent.ts kafkajs|platformatic [N]
import { randomBytes } from "node:crypto";

const client = Deno.args[0] ?? "platformatic";
const n = Number(Deno.args[1] ?? 300);
const brokers = (Deno.env.get("KAFKA_BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094").split(",");
const topic = `probe-conc-${client}-${randomBytes(3).toString("hex")}`;

async function viaKafkajs(): Promise<{ offsets: string[]; end: number; errors: string[] }> {
  const { Kafka, logLevel } = await import("kafkajs");
  const kafka = new Kafka({ clientId: "probe", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const errors: string[] = [];
  const offsets = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      producer
        .send({ topic, acks: -1, messages: [{ key: `k${i}`, value: `v${i}` }] })
        .then(([m]) => `${m?.partition}:${m?.baseOffset}`)
        .catch((e: Error) => {
          errors.push(e.message);
          return "error";
        }),
    ),
  );
  await producer.disconnect();
  const end = (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.offset), 0);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return { offsets, end, errors };
}

async function viaPlatformatic(): Promise<{ offsets: string[]; end: number; errors: string[] }> {
  const { Admin, Producer, stringSerializers } = await import("@platformatic/kafka");
  const admin = new Admin({ clientId: "probe", bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 3 });
  const producer = new Producer({
    clientId: "probe",
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
    serializers: stringSerializers,
  });
  const errors: string[] = [];
  const offsets = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      producer
        .send({ messages: [{ topic, key: `k${i}`, value: `v${i}` }] })
        .then((r) => `${r.offsets?.[0]?.partition}:${r.offsets?.[0]?.offset}`)
        .catch((e: Error) => {
          errors.push(e.message);
          return "error";
        }),
    ),
  );
  await producer.close();
  const listed = await admin.listOffsets({
    topics: [{ name: topic, partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
  });
  const end = listed[0]?.partitions.reduce((s, p) => s + Number(p.offset), 0) ?? -1;
  await admin.deleteTopics({ topics: [topic] });
  await admin.close();
  return { offsets, end, errors };
}

const t0 = Date.now();
const { offsets, end, errors } = client === "kafkajs" ? await viaKafkajs() : await viaPlatformatic();
const distinct = new Set(offsets.filter((o) => o !== "error")).size;
console.log(
  JSON.stringify({
    client,
    deno: Deno.version.deno,
    sends: n,
    distinctAcks: distinct,
    topicEndTotal: end,
    errors: errors.slice(0, 3),
    errorCount: errors.length,
    ms: Date.now() - t0,
  }),
);
Deno.exit(distinct === n && end === n ? 0 : 1);
