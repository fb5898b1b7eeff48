// How long each console page takes on a topic of N events (default 100,000): writes N valid
// orders to `<ns>orders` and N dead letters to `<ns>orders.dlq` of a fresh namespace, commits
// half of each orders partition for a group (so it has lag), starts the console on PORT against
// that namespace, times every page ROUNDS times (server time to the last byte, through fetch),
// prints one JSON line per page and a table, then deletes the topics and the group.
//   KAFKA_BOOTSTRAP_SERVERS=… PORT=4389 npx tsx bench/measure/console-pages.ts
// Env: EVENTS (100000), ROUNDS (5), PORT (4389).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { KafkaJS as KafkaJSTypes } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import { loadConfig, namespace } from "@kafka-pair/shared/runtime";

const events = Number(process.env.EVENTS ?? 100_000);
const rounds = Number(process.env.ROUNDS ?? 5);
const port = Number(process.env.PORT ?? 4389);
const config = loadConfig("console");
const ns = namespace(`console-measure-${randomUUID().slice(0, 8)}.`);
const orders = ns.topic("orders");
const dlq = ns.topic("orders.dlq");
const group = ns.group("orders_group");
const brokers = config.kafka.bootstrapServers;
const { KafkaJS } = confluent;
const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(","), logLevel: KafkaJS.logLevel.ERROR } });

const order = (i: number) => ({
  orderId: randomUUID(),
  customerId: `c-${i % 1000}`,
  currency: "EUR",
  lines: [{ sku: "BOOK-1", quantity: 1 + (i % 5), unitPriceCents: 1299 }],
  placedAt: new Date().toISOString(),
});

async function fill(producer: KafkaJSTypes.Producer, topic: string, letters: boolean): Promise<number> {
  const started = Date.now();
  const batch = 2_000;
  for (let i = 0; i < events; i += batch) {
    const messages = Array.from({ length: Math.min(batch, events - i) }, (_, j) => {
      const o = order(i + j);
      const headers: Record<string, string> = {
        ce_id: randomUUID(),
        ce_source: "/measure",
        ce_type: "dev.kafka-pair.order.placed",
        ce_specversion: "1.0",
        "content-type": "application/json",
      };
      if (letters) {
        Object.assign(headers, {
          dlq_reason: "handler-failed",
          dlq_error: `Error: planned failure ${i + j}`,
          dlq_attempts: "4",
          dlq_original_topic: orders,
          dlq_original_partition: "0",
          dlq_original_offset: String(i + j),
          dlq_consumer_group: group,
        });
      }
      return { key: o.orderId, value: JSON.stringify(o), headers };
    });
    await producer.send({ topic, messages });
  }
  return Date.now() - started;
}

async function commitHalf(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(orders);
  await admin.disconnect();
  // A consumer that assigns (joins no group) can still commit for a group id: a "simple" group.
  const consumer = new confluent.KafkaConsumer(
    { "bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": false },
    {},
  );
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  consumer.commitSync(
    ends.map((e) => ({ topic: orders, partition: e.partition, offset: Math.floor(Number(e.offset) / 2) })),
  );
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
}

function startConsole(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "console/src/main.ts"], {
    env: { ...process.env, KAFKA_NAMESPACE: ns.prefix, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return resolve(child);
      if (Date.now() > deadline || child.exitCode !== null) return reject(new Error("console did not start"));
      setTimeout(poll, 300);
    };
    void poll();
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timePage(name: string, path: string) {
  const ms: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    bytes = (await res.arrayBuffer()).byteLength;
    ms.push(performance.now() - started);
    status = res.status;
  }
  const row = {
    page: name,
    path,
    status,
    bytes,
    medianMs: Math.round(median(ms)),
    minMs: Math.round(Math.min(...ms)),
    maxMs: Math.round(Math.max(...ms)),
  };
  console.log(JSON.stringify(row));
  return row;
}

async function tailLatency(producer: KafkaJSTypes.Producer): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/tail/${orders}`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value);
    };
    await until("event: ready");
    const started = performance.now();
    const o = order(i);
    await producer.send({ topic: orders, messages: [{ key: o.orderId, value: JSON.stringify(o) }] });
    await until(o.orderId);
    out.push(Math.round(performance.now() - started));
    await reader.cancel();
  }
  return out;
}

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [orders, dlq].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 3 })) });
await admin.disconnect();
const producer = kafka.producer({ "linger.ms": 20, "compression.type": "lz4" } as never);
await producer.connect();
let console_: ChildProcess | undefined;
try {
  const fillMs = (await fill(producer, orders, false)) + (await fill(producer, dlq, true));
  console.log(JSON.stringify({ filled: events, topics: [orders, dlq], ms: fillMs }));
  await commitHalf();
  console_ = await startConsole();
  const mid = await (async () => {
    const a = kafka.admin();
    await a.connect();
    const offsets = await a.fetchTopicOffsets(orders);
    await a.disconnect();
    return offsets;
  })();
  const p0End = Number(mid.find((o) => o.partition === 0)?.offset ?? 0);
  const key = (
    await (
      await fetch(`http://127.0.0.1:${port}/topics/${orders}?partition=0&offset=${Math.floor(p0End / 2)}&limit=1`)
    ).text()
  ).match(/<td class="key"><code>([0-9a-f-]{36})<\/code>/)?.[1];
  const rows = [
    await timePage("cluster (every topic of the shared cluster)", "/?all=1"),
    await timePage("topic, newest 50 of all partitions", `/topics/${orders}`),
    await timePage(
      "topic, 50 up to an offset in one partition",
      `/topics/${orders}?partition=0&offset=${Math.floor(p0End / 2)}`,
    ),
    await timePage("topic, 500 (the most) newest", `/topics/${orders}?limit=500`),
    await timePage("topic, from a time", `/topics/${orders}?since=${Date.now() - 60_000}`),
    await timePage("topic, key search, last 10,000 per partition", `/topics/${orders}?key=${key}`),
    await timePage("topic, key search, whole topic (scan 100,000)", `/topics/${orders}?key=${key}&scan=100000`),
    await timePage("one event", `/topics/${orders}/records/0/${Math.floor(p0End / 2)}`),
    await timePage("one event, raw bytes", `/topics/${orders}/records/0/${Math.floor(p0End / 2)}?raw=1`),
    await timePage("groups (every group of the shared cluster)", "/groups?all=1"),
    await timePage("group", `/groups/${group}`),
    await timePage("dead-letter topics (whole cluster)", "/dead-letters?all=1"),
    await timePage("dead letters (200 newest per partition)", `/dead-letters/${dlq}`),
    await timePage("live tail page", `/tail/${orders}`),
    await timePage("produce form", "/produce/orders"),
  ];
  const tail = await tailLatency(producer);
  console.log(JSON.stringify({ page: "live tail: produce → event in the stream", ms: tail }));
  console.log(`\n| page | median ms | min-max ms | bytes |\n| --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.page} | ${r.medianMs} | ${r.minMs}-${r.maxMs} | ${r.bytes} |`);
  console.log(
    `| live tail: produce → row in the stream | ${median(tail)} | ${Math.min(...tail)}-${Math.max(...tail)} | |`,
  );
} finally {
  console_?.kill("SIGTERM");
  await producer.disconnect();
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteTopics({ topics: [orders, dlq] });
  await cleanup.deleteGroups([group]).catch(() => {});
  await cleanup.disconnect();
}
