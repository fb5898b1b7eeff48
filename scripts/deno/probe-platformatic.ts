// Probe: does @platformatic/kafka give the guarantees the workers need when it runs on Deno?
// deno run -A scripts/deno/probe-platformatic.ts   (against the launcher cluster)
import { randomBytes } from "node:crypto";
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";

const bootstrapBrokers = (
  Deno.env.get("KAFKA_BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
).split(",");
const topic = `probe-pk-${randomBytes(3).toString("hex")}`;
const t0 = Date.now();
const mark = (what: string) => console.error(`${what} at ${Date.now() - t0} ms`);
const results: Record<string, unknown> = { deno: Deno.version.deno, topic };

const admin = new Admin({ clientId: "pk-probe", bootstrapBrokers });
await admin.createTopics({ topics: [topic], partitions: 1, replicas: 3 });
mark("created");
const idem = new Producer({
  clientId: "pk-probe",
  bootstrapBrokers,
  idempotent: true,
  acks: -1,
  serializers: stringSerializers,
});
const acks = [];
for (let i = 0; i < 3; i++) {
  const r = await idem.send({ messages: [{ topic, key: `k${i}`, value: `plain-${i}` }] });
  acks.push(r.offsets);
}
results.idempotentAcks = acks;
await idem.close();
mark("idempotent");

const tx = new Producer({
  clientId: "pk-probe-tx",
  bootstrapBrokers,
  idempotent: true,
  acks: -1,
  transactionalId: `${topic}-tx`,
  serializers: stringSerializers,
});
let t = await tx.beginTransaction();
await t.send({
  messages: [
    { topic, value: "committed-1" },
    { topic, value: "committed-2" },
  ],
});
await t.commit();
t = await tx.beginTransaction();
await t.send({ messages: [{ topic, value: "aborted-1" }] });
await t.abort();
t = await tx.beginTransaction();
await t.send({ messages: [{ topic, value: "committed-3" }] });
await t.commit();
await tx.close();
mark("transactions");

const groupId = `${topic}-group`;
const consumer = new Consumer({
  clientId: "pk-probe-c",
  groupId,
  bootstrapBrokers,
  deserializers: stringDeserializers,
});
const stream = await consumer.consume({
  topics: [topic],
  mode: "earliest",
  autocommit: false,
  isolationLevel: FetchIsolationLevels.READ_COMMITTED,
});
const seen: string[] = [];
for await (const message of stream) {
  seen.push(message.value);
  await message.commit();
  if (message.value === "committed-3") break;
}
mark("consumed");
await stream.close();
await consumer.close();
mark("consumer closed");
results.readCommittedSeen = seen;
results.committed = await admin.listConsumerGroupOffsets?.({ groups: [groupId] }).catch((e: Error) => e.message);
await admin.deleteTopics({ topics: [topic] });
await admin.close();
mark("done");
console.log(JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
