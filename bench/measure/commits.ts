/**
 * Measures what committing costs the consumer, on the real cluster:
 *   awaited     one awaited commit per message (the naive MANUAL_IMMEDIATE)
 *   coalesced   the worker's committer: one commit in flight, carrying the newest offsets
 *   auto        offsets stored, committed on a timer (bench/lib/timer-commits.ts, as enable.auto.commit)
 * Each mode reads the same topic with a fresh group, with a no-op handler.
 *
 * On the configured transport (KAFKA_CLIENT), through the port.
 *
 *   npm run measure-commits [-- <messages, default 20000>]
 */
import { randomBytes } from "node:crypto";
import { CommitCoalescer } from "@kafka-pair/consumer/commits";
import { OffsetTracker } from "@kafka-pair/consumer/offsets";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import type { CommitPosition, ConsumedMessage, ConsumerTransport } from "@kafka-pair/shared/transport";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { timerCommits } from "../lib/timer-commits.ts";

const total = Number(process.argv[2] ?? 20_000);
const config = loadConfig("consumer");
const logger = createLogger("measure", "warn");
const transport = await createTransport(config, logger);
const autoCommitting = timerCommits(transport);
const topic = `measure-commits-${randomBytes(4).toString("hex")}`;

type Mode = "awaited" | "coalesced" | "auto";

async function produce(): Promise<void> {
  const admin = transport.admin();
  await admin.connect();
  await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 3 }]);
  await admin.disconnect();
  const producer = transport.producer();
  await producer.connect();
  const value = new TextEncoder().encode(JSON.stringify({ n: 0, pad: "x".repeat(100) }));
  for (let sent = 0; sent < total; sent += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, total - sent) }, (_, i) =>
        producer.send({ topic, key: String(sent + i), value }),
      ),
    );
  }
  await producer.disconnect();
}

let groups = 0;
async function measure(mode: Mode): Promise<{ mode: Mode; msgPerSec: number; commits: number }> {
  const consumer: ConsumerTransport = (mode === "auto" ? autoCommitting : transport).consumer({
    groupId: `${topic}-${mode}-${++groups}`,
    topics: [topic],
    fromBeginning: true,
  });
  const tracker = new OffsetTracker();
  let commits = 0;
  const send = async (positions: CommitPosition[]) => {
    commits++;
    await consumer.commitMany(positions);
  };
  const coalescer = new CommitCoalescer(tracker, send);
  let seen = 0;
  let started = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const handle = async (message: ConsumedMessage) => {
    if (seen === 0) started = performance.now();
    const next = (BigInt(message.offset) + 1n).toString();
    if (mode === "awaited") await send([{ topic: message.topic, partition: message.partition, offset: next }]);
    else if (mode === "coalesced") {
      const ticket = tracker.received(message, message.offset);
      tracker.done(ticket);
      coalescer.notify();
    } else await consumer.commitMany([{ topic: message.topic, partition: message.partition, offset: next }]); // stores only
    if (++seen === total) finished();
  };
  await consumer.connect();
  await consumer.run(handle);
  await done;
  const seconds = (performance.now() - started) / 1000;
  await coalescer.flush();
  coalescer.close();
  await consumer.disconnect();
  return { mode, msgPerSec: Math.round(total / seconds), commits: mode === "auto" ? 0 : commits };
}

await produce();
// Two rounds in opposite orders, so warm-up does not favour one mode.
const rounds: Mode[][] = [
  ["awaited", "coalesced", "auto"],
  ["auto", "coalesced", "awaited"],
];
for (const [round, modes] of rounds.entries()) {
  for (const mode of modes) {
    const result = await measure(mode);
    console.log(JSON.stringify({ round: round + 1, ...result, messages: total }));
  }
}
const admin = transport.admin();
await admin.connect();
await admin.deleteTopics([topic]);
await admin.disconnect();
process.exit(0);
