// One client-raw run on whichever runtime runs this file (Node via tsx, or Deno): produce N
// records through the transport TRANSPORT names, then consume and commit them with a fresh
// group. Samples RSS and this process's CPU time (process.cpuUsage). Prints one JSON line.
// Env: KAFKA_BOOTSTRAP_SERVERS, TRANSPORT, RECORDS (default 50000), WINDOW (in flight, default 1000).
import process from "node:process";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import type { CommitPosition } from "@kafka-pair/shared/transport";
import { isDeno, runtimeTransport } from "./runtime-transport.ts";

const records = Number(process.env.RECORDS ?? 50_000);
const window = Number(process.env.WINDOW ?? 1_000);
const config = loadConfig("producer");
const logger = createLogger("measure", "warn");

/** User + system CPU of this process in ms (Deno reads /proc/self only with -A; both runtimes have cpuUsage). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1048576);

const transport = await runtimeTransport(config, logger);
const topic = `measure-raw-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
const admin = transport.admin();
await admin.connect();
await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 3 }]);
// New topics take a moment to reach every broker's metadata.
await new Promise((resolve) => setTimeout(resolve, 2_000));

const rss: Array<{ phase: string; done: number; mb: number; heapMb: number }> = [
  { phase: "start", done: 0, mb: rssMb(), heapMb: heapMb() },
];
const value = new TextEncoder().encode(JSON.stringify({ payload: "x".repeat(180) }));

const producer = transport.producer();
await producer.connect();
let sent = 0;
let acked = 0;
const sampleEvery = Math.max(1, Math.floor(records / 10));
const produceCpu0 = cpuMs();
const produceT0 = performance.now();
await new Promise<void>((resolve, reject) => {
  const pump = () => {
    while (sent < records && sent - acked < window) {
      sent++;
      producer.send({ topic, key: `k-${sent}`, value }).then(() => {
        acked++;
        if (acked % sampleEvery === 0) rss.push({ phase: "produce", done: acked, mb: rssMb(), heapMb: heapMb() });
        if (acked === records) resolve();
        else pump();
      }, reject);
    }
  };
  pump();
});
const produceMs = performance.now() - produceT0;
const produceCpu = cpuMs() - produceCpu0;
await producer.disconnect();

const consumer = transport.consumer({ groupId: `${topic}-group`, topics: [topic], fromBeginning: true });
let consumed = 0;
const last = new Map<number, string>();
const consumeCpu0 = cpuMs();
const consumeT0 = performance.now();
await consumer.connect();
let committing: Promise<void> = Promise.resolve();
let firstMessageAt = 0;
const commitAll = () => {
  const positions: CommitPosition[] = [...last].map(([partition, offset]) => ({
    topic,
    partition,
    offset: (BigInt(offset) + 1n).toString(),
  }));
  committing = committing.then(() =>
    consumer.commitMany
      ? consumer.commitMany(positions)
      : Promise.all(positions.map((p) => consumer.commit(p))).then(() => {}),
  );
  return committing;
};
await new Promise<void>((resolve) => {
  void consumer.run(async (message) => {
    // The group join is not throughput: the clock starts with the first message.
    if (consumed === 0) firstMessageAt = performance.now();
    consumed++;
    last.set(message.partition, message.offset);
    if (consumed % sampleEvery === 0) rss.push({ phase: "consume", done: consumed, mb: rssMb(), heapMb: heapMb() });
    if (consumed % 5_000 === 0) void commitAll();
    if (consumed === records) resolve();
  });
});
await commitAll();
const consumeMs = performance.now() - firstMessageAt;
const joinMs = firstMessageAt - consumeT0;
const consumeCpu = cpuMs() - consumeCpu0;
await consumer.disconnect();
await admin.deleteTopics([topic]).catch(() => {});
await admin.disconnect();
rss.push({ phase: "end", done: records, mb: rssMb(), heapMb: heapMb() });

console.log(
  JSON.stringify({
    runtime: isDeno ? "deno" : "node",
    transport: transport.name,
    records,
    produce: {
      perSec: Math.round(records / (produceMs / 1000)),
      cpuUsPerRecord: Math.round((produceCpu * 1000) / records),
    },
    consume: {
      joinMs: Math.round(joinMs),
      perSec: Math.round(records / (consumeMs / 1000)),
      cpuUsPerRecord: Math.round((consumeCpu * 1000) / records),
    },
    rss,
  }),
);
process.exit(0);
