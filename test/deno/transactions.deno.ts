// Run by transactions.spec.ts under Deno: an adapter's transactions (TRANSPORT picks it, as for
// the workers), seen by its own read_committed consumer. Prints one JSON line with what happened;
// the spec judges it. Env: KAFKA_BOOTSTRAP_SERVERS, TOPIC, GROUP, TRANSPORT.

import { KafkaPairError } from "@kafka-pair/shared/errors";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import type { DeliveryReport } from "@kafka-pair/shared/transport";
import { createDenoTransport } from "@kafka-pair/shared/transport/deno";

const topic = Deno.env.get("TOPIC") ?? "";
const groupId = Deno.env.get("GROUP") ?? "";
const config = loadConfig("producer");
const logger = createLogger("transactions", "warn");
const transport = await createDenoTransport({ ...config, deliveryTimeoutMs: 10_000 }, logger);
const text = new TextEncoder();
const record = (value: string) => ({ topic, key: value, value: text.encode(value) });

const admin = transport.admin();
await admin.connect();
await admin.createTopics([{ name: topic, partitions: 3, replicationFactor: 3 }]);

const producer = transport.producer();
await producer.connect();
if (!producer.transaction) throw new Error(`the ${transport.name} adapter has no transactions`);

const committed = await producer.transaction((tx) =>
  Promise.all(["committed-1", "committed-2", "committed-3"].map((v) => tx.send(record(v)))),
);

// Records that reached the log inside a transaction that was then aborted.
const abortedReports: DeliveryReport[] = [];
let abortError: { code: string; message: string } | undefined;
try {
  await producer.transaction(async (tx) => {
    for (const v of ["aborted-1", "aborted-2"]) abortedReports.push(await tx.send(record(v)));
    throw new Error("the batch failed after its records were sent");
  });
} catch (err) {
  abortError =
    err instanceof KafkaPairError ? { code: err.code, message: err.message } : { code: "?", message: String(err) };
}

const after = await producer.transaction((tx) => tx.send(record("after-abort")));
await producer.disconnect();

// A read_committed reader with manual commits: the adapter's own consumer, or librdkafka's (FFI)
// for the platformatic producer, which offers none.
const reader =
  transport.name === "platformatic"
    ? await createDenoTransport({ ...config, transport: "confluent" }, logger)
    : transport;
const consumer = reader.consumer({ groupId, topics: [topic], fromBeginning: true });
const seen: string[] = [];
await consumer.connect();
let allSeen: () => void = () => {};
const done = new Promise<void>((resolve) => {
  allSeen = resolve;
});
await consumer.run(async (message) => {
  seen.push(new TextDecoder().decode(message.value ?? new Uint8Array()));
  await consumer.commit({
    topic: message.topic,
    partition: message.partition,
    offset: (BigInt(message.offset) + 1n).toString(),
  });
  if (seen.length >= 4) allSeen();
});
const timer = setTimeout(allSeen, 30_000);
await done;
// Anything aborted would arrive with or before the last committed records: give it a moment.
await new Promise((resolve) => setTimeout(resolve, 2_000));
clearTimeout(timer);
await consumer.disconnect();

const groupOffsets = Object.fromEntries(await admin.committedOffsets(groupId, topic));
const endUncommitted = Object.fromEntries(await admin.endOffsets(topic, "read_uncommitted"));
await admin.deleteTopics([topic]);
await admin.disconnect();
console.log(JSON.stringify({ committed, abortedReports, abortError, after, seen, groupOffsets, endUncommitted }));
Deno.exit(0);
