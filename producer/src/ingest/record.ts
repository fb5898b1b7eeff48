import { encodeValue, parseEvent, type TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Namespace } from "@kafka-pair/shared/namespace";
import type { ProduceRecord } from "@kafka-pair/shared/transport";
import type { Candidate } from "./parse.ts";

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const DEFAULT_MAX_VALUE_BYTES = 1_000_000;

export interface RecordContext {
  namespace: Namespace;
  /** CloudEvents `source` when the sender gave none. */
  source: string;
  /** The event id: from Idempotency-Key when the client sent one, else the CloudEvent's id, else random. */
  id: string | undefined;
  traceparent: string | undefined;
  now: Date;
}

export interface BuiltRecord {
  id: string;
  record: ProduceRecord;
}

/**
 * Checks one candidate against its contract and builds its Kafka record, with the
 * CloudEvents attributes as `ce_*` headers (the Kafka protocol binding's binary mode).
 */
export function buildRecord(contract: TopicContract, candidate: Candidate, ctx: RecordContext): BuiltRecord {
  const ce = candidate.ce ?? {};
  if (ce.type !== undefined && ce.type !== contract.eventType) {
    throw new KafkaPairError("INVALID_EVENT", `topic ${contract.name} carries events of type ${contract.eventType}`, {
      issues: [{ path: "ce.type", message: `expected ${contract.eventType}`, received: ce.type }],
    });
  }
  const event = parseEvent(contract, candidate.data);
  const value = encodeValue(contract, event);
  const limit = contract.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (value.byteLength > limit) {
    throw new KafkaPairError(
      "PAYLOAD_TOO_LARGE",
      `event is ${value.byteLength} bytes; topic ${contract.name} accepts at most ${limit}`,
    );
  }
  const id = ctx.id ?? ce.id ?? crypto.randomUUID();
  const headers: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(ce)) headers[`ce_${name}`] = attribute;
  Object.assign(headers, {
    ce_specversion: "1.0",
    ce_id: id,
    ce_source: ce.source ?? ctx.source,
    ce_type: contract.eventType,
    ce_time: ce.time ?? ctx.now.toISOString(),
    "content-type": contract.encoding === "json" ? "application/json" : "text/plain; charset=utf-8",
  });
  if (ctx.traceparent && TRACEPARENT.test(ctx.traceparent)) headers.traceparent = ctx.traceparent;
  return {
    id,
    record: { topic: ctx.namespace.topic(contract.name), key: contract.key(event), value, headers },
  };
}
