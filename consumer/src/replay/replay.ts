import type { Logger } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage, KafkaTransport } from "@kafka-pair/shared/transport";
import { replayRecord } from "../dead-letter.ts";
import { replayLetter } from "./letter.ts";

export interface ReplayRun {
  /** The source topic the letters go back to (namespaced). */
  source: string;
  /** Its dead-letter topic (namespaced). */
  deadLetterTopic: string;
  /** The replay's own group: a second run goes on where the first stopped. */
  groupId: string;
  /** At most this many letters (default: all). */
  limit?: number;
  /** Prints each letter instead of sending it; commits nothing. */
  dryRun?: boolean;
  /** Gives up after this long without a letter (default 30 s). */
  idleTimeoutMs?: number;
  /** Where a dry run writes its lines. */
  print?: (line: string) => void;
}

export interface ReplayResult {
  replayed: number;
  dryRun: boolean;
  /** False if it stopped (idle) before the end of the dead-letter topic as of the start. */
  complete: boolean;
}

/**
 * Sends a dead-letter topic's letters back to their source topic through the transport port,
 * whichever client is configured. Reads up to the end as of the start (letters that fail again
 * and come back are not replayed twice in one run), committing each letter once the source
 * topic has it.
 */
export async function replayDeadLetters(
  transport: KafkaTransport,
  logger: Logger,
  run: ReplayRun,
): Promise<ReplayResult> {
  const { source, deadLetterTopic: dlq, groupId } = run;
  const limit = run.limit ?? Number.POSITIVE_INFINITY;
  const dryRun = run.dryRun ?? false;
  const idleTimeoutMs = run.idleTimeoutMs ?? 30_000;
  const print = run.print ?? ((line: string) => console.log(line));

  // What is left to replay: from the group's committed offset up to the end as of now.
  const admin = transport.admin();
  await admin.connect();
  let remaining: Map<number, bigint>;
  try {
    const ends = await admin.endOffsets(dlq, "read_committed");
    const committed = await admin.committedOffsets(groupId, dlq);
    remaining = new Map();
    for (const [partition, end] of ends) {
      const start = BigInt(committed.get(partition) ?? "0");
      if (BigInt(end) > start) remaining.set(partition, BigInt(end));
    }
  } finally {
    await admin.disconnect();
  }
  if (remaining.size === 0 || limit <= 0) {
    logger.info({ source, deadLetterTopic: dlq }, "nothing to replay");
    return { replayed: 0, dryRun, complete: true };
  }

  const producer = transport.producer();
  await producer.connect();
  const consumer = transport.consumer({ groupId, topics: [dlq], fromBeginning: true });
  let replayed = 0;
  /**
   * Letters taken on, counted before the first await: partitions are handled side by side, so a
   * count kept only after the send would let every partition pass `--limit` at once.
   */
  let claimed = 0;
  let lastProgress = Date.now();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  async function replay(message: ConsumedMessage): Promise<void> {
    const end = remaining.get(message.partition);
    if (end === undefined || BigInt(message.offset) >= end || claimed >= limit) return;
    claimed++;
    lastProgress = Date.now();
    if (dryRun) {
      const record = replayRecord(message, source);
      print(
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

  const idle = setInterval(
    () => {
      if (Date.now() - lastProgress > idleTimeoutMs) finish();
    },
    Math.min(1_000, idleTimeoutMs),
  );
  try {
    await consumer.connect();
    await consumer.run(replay);
    await finished;
  } finally {
    clearInterval(idle);
    await consumer.disconnect();
    await producer.disconnect();
  }
  return { replayed, dryRun, complete: remaining.size === 0 || replayed >= limit };
}
