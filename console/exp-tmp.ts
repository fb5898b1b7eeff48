import { createLogger } from "@kafka-pair/shared/log";
import { confluentTransport } from "@kafka-pair/shared/transport/confluent";
import { ConfluentCluster } from "./src/cluster/confluent.ts";

const connection = {
  bootstrapServers: "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094",
  clientId: "console-exp",
  security: {},
};
const logger = createLogger("exp", "warn");
const t = confluentTransport({ connection, logger, deliveryTimeoutMs: 10000, lingerMs: 5 });
const admin = t.admin();
await admin.connect();
await admin.createTopics([{ name: "console-exp.t", partitions: 2, replicationFactor: 3 }]);
const p = t.producer();
await p.connect();
for (let i = 0; i < 10; i++)
  await p.send({ topic: "console-exp.t", key: `k${i}`, value: Buffer.from(`v${i}`), headers: { h: "<b>x</b>" } });
const c = new ConfluentCluster({ connection, logger });
let t0 = Date.now();
await c.connect();
console.log("connect", Date.now() - t0);
t0 = Date.now();
console.log(await c.brokers(), Date.now() - t0);
t0 = Date.now();
console.log(JSON.stringify(await c.topic("console-exp.t")), Date.now() - t0);
t0 = Date.now();
const recs = await c.read({ topic: "console-exp.t", partition: 0, from: 0n, to: 100n });
console.log(recs.length, recs[0], Date.now() - t0);
t0 = Date.now();
const recs2 = await c.read({ topic: "console-exp.t", partition: 1, from: 1n, to: 3n });
console.log(
  recs2.map((r) => r.offset),
  Date.now() - t0,
);
const got: string[] = [];
const tail = await c.tail("console-exp.t", (r) => got.push(r.offset));
await new Promise((r) => setTimeout(r, 2000));
await p.send({ topic: "console-exp.t", key: "k-tail", value: Buffer.from("tail"), headers: {} });
await new Promise((r) => setTimeout(r, 2000));
console.log("tail got", got);
await tail.close();
console.log(await c.groups());
console.log(await c.offsetsForTime("console-exp.t", Date.now() - 60000));
await admin.deleteTopics(["console-exp.t"]);
await c.close();
await p.disconnect();
await admin.disconnect();
