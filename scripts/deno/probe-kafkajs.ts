// Probe: does kafkajs give the guarantees the workers need when it runs on Deno?
// deno run -A scripts/deno/probe-kafkajs.ts   (against the launcher cluster)
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";

const brokers = (Deno.env.get("KAFKA_BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094").split(",");
const topic = `probe-kjs-${randomBytes(3).toString("hex")}`;
const kafka = new Kafka({ clientId: "deno-probe", brokers, logLevel: logLevel.WARN });
const results: Record<string, unknown> = { deno: Deno.version.deno, topic };
const t0 = Date.now();
const mark = (what: string) => console.error(`${what} at ${Date.now() - t0} ms`);

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });

// 1. idempotent producer, acks=all, per-record acknowledgement
const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await idem.connect();
const acks = [];
for (let i = 0; i < 3; i++) {
  const [meta] = await idem.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: `plain-${i}` }] });
  acks.push(meta?.baseOffset);
}
results.idempotentAcks = acks;
mark("idempotent");
await idem.disconnect();

// 2. transactions: one committed, one aborted
const tx = kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
await tx.connect();
const t1 = await tx.transaction();
await t1.send({ topic, messages: [{ value: "committed-1" }, { value: "committed-2" }] });
await t1.commit();
const t2 = await tx.transaction();
await t2.send({ topic, messages: [{ value: "aborted-1" }] });
await t2.abort();
const t3 = await tx.transaction();
await t3.send({ topic, messages: [{ value: "committed-3" }] });
await t3.commit();
await tx.disconnect();
mark("transactions");

// 3. read_committed consumer with manual commits
const groupId = `${topic}-group`;
const consumer = kafka.consumer({ groupId, readUncommitted: false });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
const seen: string[] = [];
const done = new Promise<void>((resolve) => {
  consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      seen.push(String(message.value));
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      if (String(message.value) === "committed-3") resolve();
    },
  });
});
await Promise.race([done, new Promise((_, r) => setTimeout(() => r(new Error("consume timeout")), 60_000))]);
mark("consumed");
await consumer.disconnect();
mark("consumer disconnected");
results.readCommittedSeen = seen;
results.committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions;
results.endOffsets = await admin.fetchTopicOffsets(topic);
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
console.log(JSON.stringify(results, null, 2));
