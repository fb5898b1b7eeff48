import type { ConsumedMessage, Headers, ProduceRecord } from "@kafka-pair/shared/transport";

/** The retry topic of a contract topic (Spring's `@RetryableTopic` names it `<topic>-retry`; we keep the `.dlq` style). */
export const retryTopicOf = (contractName: string) => `${contractName}.retry`;

/** Headers a retry-topic record carries; dead-lettering and the handler see the original place. */
export const RETRY_HEADER = {
  attempts: "retry_attempts",
  dueAt: "retry_due_at",
  error: "retry_error",
  originalTopic: "retry_original_topic",
  originalPartition: "retry_original_partition",
  originalOffset: "retry_original_offset",
} as const;

const MAX_ERROR_CHARS = 2_000;

/** Where the event was first read: the record itself, or the place its retry headers name. */
export function originOf(message: ConsumedMessage): { topic: string; partition: number; offset: string } {
  const topic = message.headers[RETRY_HEADER.originalTopic];
  const partition = message.headers[RETRY_HEADER.originalPartition];
  const offset = message.headers[RETRY_HEADER.originalOffset];
  if (topic === undefined || partition === undefined || offset === undefined) return message;
  return { topic, partition: Number(partition), offset };
}

/** Handler calls made before this record was written (0 for a record of the main topic). */
export function attemptsMade(message: ConsumedMessage): number {
  const made = Number(message.headers[RETRY_HEADER.attempts] ?? 0);
  return Number.isInteger(made) && made >= 0 ? made : 0;
}

/** When a retry-topic record may be handled (epoch ms); 0 for any other record. */
export function dueAt(message: ConsumedMessage): number {
  const due = Number(message.headers[RETRY_HEADER.dueAt] ?? 0);
  return Number.isFinite(due) ? due : 0;
}

/** The record as it was first written: retry headers off, the original place back. */
export function asOriginal(message: ConsumedMessage): ConsumedMessage {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!name.startsWith("retry_")) headers[name] = value;
  }
  return { ...message, ...originOf(message), headers };
}

/** The record to write to the retry topic after `attempts` failed calls: same key, value and headers. */
export function retryRecord(
  message: ConsumedMessage,
  info: { topic: string; attempts: number; dueAt: number; error: unknown },
): ProduceRecord {
  const origin = originOf(message);
  const text = info.error instanceof Error ? `${info.error.name}: ${info.error.message}` : String(info.error);
  return {
    topic: info.topic,
    key: message.key,
    value: message.value ?? new Uint8Array(0),
    headers: {
      ...asOriginal(message).headers,
      [RETRY_HEADER.attempts]: String(info.attempts),
      [RETRY_HEADER.dueAt]: String(info.dueAt),
      [RETRY_HEADER.error]: text.slice(0, MAX_ERROR_CHARS),
      [RETRY_HEADER.originalTopic]: origin.topic,
      [RETRY_HEADER.originalPartition]: String(origin.partition),
      [RETRY_HEADER.originalOffset]: origin.offset,
    },
  };
}
