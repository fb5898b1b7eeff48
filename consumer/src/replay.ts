/**
 * Sends a topic's dead letters back to the topic, as they were first written (the `dlq_*`
 * headers dropped, `replayed_from` added):
 *
 *   npm run replay -- <topic> [--limit N] [--dry-run]
 *
 * Reads `<topic>.dlq` up to its end as of the start (letters that fail again and come back
 * are not replayed twice in one run) with the group `<topic>.dlq.replay`, committing each
 * letter once the source topic has it: a second run goes on where the first stopped.
 * Uses the same environment as the consumer (KAFKA_BOOTSTRAP_SERVERS, KAFKA_NAMESPACE, ...).
 */
import { parseArgs } from "node:util";
import { loadConfig } from "@kafka-pair/shared/config";
import { deadLetterTopicOf, findContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { createLogger } from "@kafka-pair/shared/log";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { confluentTransport } from "@kafka-pair/shared/transport/confluent";
import { replayRecord } from "./dead-letter.ts";
import { replayLetter } from "./replay-letter.ts";

const IDLE_TIMEOUT_MS = 30_000;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { limit: { type: "string" }, "dry-run": { type: "boolean", default: false } },
});
const config = loadConfig("consumer");
const logger = createLogger("replay", config.logLevel);

function fail(message: string): never {
  logger.error(message);
  process.exit(2);
}

const name = positionals[0] ?? fail("usage: npm run replay -- <topic> [--limit N] [--dry-run]");
const contract = findContract(name) ?? fail(`no contract for topic ${name}`);
const dlqName = deadLetterTopicOf(contract) ?? fail(`topic ${name} declares no dead-letter topic`);
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
if (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY) fail("--limit must be a whole number");
const dryRun = values["dry-run"];

const ns = config.namespace;
const source = ns.topic(contract.name);
const dlq = ns.topic(dlqName);
const groupId = ns.group(`${dlqName}.replay`);
const transport = confluentTransport({
  connection: config.kafka,
  logger,
  deliveryTimeoutMs: config.deliveryTimeoutMs,
  lingerMs: config.lingerMs,
});

// What is left to replay: from the group's committed offset up to the end as of now.
const admin = transport.admin();
await admin.connect();
const ends = await admin.endOffsets(dlq, "read_committed");
const committed = await admin.committedOffsets(groupId, dlq);
await admin.disconnect();
const remaining = new Map<number, bigint>();
for (const [partition, end] of ends) {
  const start = BigInt(committed.get(partition) ?? "0");
  if (BigInt(end) > start) remaining.set(partition, BigInt(end));
}
if (remaining.size === 0) {
  logger.info({ topic: name, deadLetterTopic: dlq }, "nothing to replay");
  console.log(JSON.stringify({ topic: name, replayed: 0, dryRun }));
  process.exit(0);
}

const producer = transport.producer();
await producer.connect();
const consumer = transport.consumer({ groupId, topics: [dlq], fromBeginning: true });
let replayed = 0;
let lastProgress = Date.now();
let finish: () => void = () => {};
const finished = new Promise<void>((resolve) => {
  finish = resolve;
});

async function replay(message: ConsumedMessage): Promise<void> {
  const end = remaining.get(message.partition);
  if (end === undefined || BigInt(message.offset) >= end || replayed >= limit) return;
  lastProgress = Date.now();
  if (dryRun) {
    const record = replayRecord(message, source);
    console.log(
      JSON.stringify({
        partition: message.partition,
        offset: message.offset,
        key: record.key,
        headers: message.headers,
      }),
    );
  } else {
    await replayLetter(producer, message, source, logger, { via: "cli" });
    await consumer.commit({
      topic: dlq,
      partition: message.partition,
      offset: (BigInt(message.offset) + 1n).toString(),
    });
  }
  replayed++;
  if (BigInt(message.offset) + 1n >= end) remaining.delete(message.partition);
  if (remaining.size === 0 || replayed >= limit) finish();
}

await consumer.connect();
await consumer.run(replay);
const idle = setInterval(() => {
  if (Date.now() - lastProgress > IDLE_TIMEOUT_MS) finish();
}, 1_000);
await finished;
clearInterval(idle);
await consumer.disconnect();
await producer.disconnect();
const complete = remaining.size === 0 || replayed >= limit;
console.log(JSON.stringify({ topic: name, replayed, dryRun, complete }));
if (!complete) {
  logger.error(new KafkaPairError("KAFKA_UNAVAILABLE", "stopped before reaching the end of the dead-letter topic"));
}
process.exit(complete ? 0 : 1);
