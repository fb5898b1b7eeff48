import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ConsumedMessage, Headers, ProduceRecord } from "@kafka-pair/shared/transport";

/** Why an event left its topic for the dead-letter topic. */
export type DeadLetterReason = "handler-failed" | "contract-violation";

/** Headers added to a dead-lettered record; replay removes every `dlq_` header again. */
export const DLQ_HEADER = {
  reason: "dlq_reason",
  error: "dlq_error",
  errorCode: "dlq_error_code",
  attempts: "dlq_attempts",
  originalTopic: "dlq_original_topic",
  originalPartition: "dlq_original_partition",
  originalOffset: "dlq_original_offset",
  originalTimestamp: "dlq_original_timestamp",
  group: "dlq_consumer_group",
  failedAt: "dlq_failed_at",
} as const;

/** Names where a replayed record came from (the dead-letter topic, partition and offset). */
export const REPLAYED_FROM_HEADER = "replayed_from";

const MAX_ERROR_CHARS = 2_000;

function describe(error: unknown): { message: string; code?: string } {
  if (error instanceof KafkaPairError) {
    const issues = error.issues?.map((i) => `${i.path || "(value)"}: ${i.message}`).join("; ");
    return { message: issues ? `${error.message}: ${issues}` : error.message, code: error.code };
  }
  if (error instanceof Error) return { message: `${error.name}: ${error.message}` };
  return { message: String(error) };
}

/**
 * The record written to the dead-letter topic: the original key, value and headers untouched
 * (so it can be replayed as it was), plus `dlq_*` headers saying why and from where.
 */
export function deadLetterRecord(
  message: ConsumedMessage,
  info: { topic: string; reason: DeadLetterReason; error: unknown; attempts: number; group: string; now: Date },
): ProduceRecord {
  const { message: text, code } = describe(info.error);
  const headers: Headers = {
    ...message.headers,
    [DLQ_HEADER.reason]: info.reason,
    [DLQ_HEADER.error]: text.slice(0, MAX_ERROR_CHARS),
    [DLQ_HEADER.attempts]: String(info.attempts),
    [DLQ_HEADER.originalTopic]: message.topic,
    [DLQ_HEADER.originalPartition]: String(message.partition),
    [DLQ_HEADER.originalOffset]: message.offset,
    [DLQ_HEADER.originalTimestamp]: String(message.timestamp),
    [DLQ_HEADER.group]: info.group,
    [DLQ_HEADER.failedAt]: info.now.toISOString(),
  };
  if (code) headers[DLQ_HEADER.errorCode] = code;
  return { topic: info.topic, key: message.key, value: message.value ?? new Uint8Array(0), headers };
}

/** The record replay writes back to the source topic: as it was first written, plus where it came from. */
export function replayRecord(message: ConsumedMessage, sourceTopic: string): ProduceRecord {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!name.startsWith("dlq_") && name !== REPLAYED_FROM_HEADER) headers[name] = value;
  }
  headers[REPLAYED_FROM_HEADER] = `${message.topic}/${message.partition}/${message.offset}`;
  return { topic: sourceTopic, key: message.key, value: message.value ?? new Uint8Array(0), headers };
}
