// A service's own event as a Kafka record, built the way the producer edge builds one: checked
// against its contract, key from the contract, CloudEvents attributes as `ce_*` headers.
import { KafkaPairError } from "../errors.ts";
import type { Namespace } from "../runtime/namespace.ts";
import type { ProduceRecord } from "../transport/producer.ts";
import { type CloudEventAttributes, SPEC_VERSION, toKafkaHeaders } from "./cloudevents.ts";
import { type EventOf, encodeValue, parseEvent, type TopicContract } from "./contract.ts";
import type { TraceHeaders } from "./trace-context.ts";

/** Kafka's default message.max.bytes, rounded down: the bound when a contract names none. */
export const DEFAULT_MAX_VALUE_BYTES = 1_000_000;

/** The event's value as the contract writes it; PAYLOAD_TOO_LARGE past the contract's bound. */
export function checkedValue<C extends TopicContract>(contract: C, event: EventOf<C>): Uint8Array {
  const value = encodeValue(contract, event);
  const limit = contract.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (value.byteLength > limit) {
    throw new KafkaPairError(
      "PAYLOAD_TOO_LARGE",
      `event is ${value.byteLength} bytes; topic ${contract.name} accepts at most ${limit}`,
    );
  }
  return value;
}

export interface EventEnvelope {
  namespace: Namespace;
  /** CloudEvents `id`: unique within `source`. */
  id: string;
  source: string;
  /** RFC 3339. */
  time: string;
  /** The W3C trace context to carry on (the consumed event's), if any. */
  trace: TraceHeaders | undefined;
}

/**
 * Validates `event` against `contract` (INVALID_EVENT naming each failing field, nothing built)
 * and builds its record: the contract's key, its encoding, `ce_*` headers and the trace context.
 */
export function eventRecord<C extends TopicContract>(
  contract: C,
  event: EventOf<C>,
  envelope: EventEnvelope,
): ProduceRecord {
  const checked = parseEvent(contract, event);
  const attributes: CloudEventAttributes = {
    extensions: {},
    id: envelope.id,
    source: envelope.source,
    type: contract.eventType,
    specversion: SPEC_VERSION,
    time: envelope.time,
    datacontenttype: contract.encoding === "json" ? "application/json" : "text/plain; charset=utf-8",
  };
  return {
    topic: envelope.namespace.topic(contract.name),
    key: contract.key(checked),
    value: checkedValue(contract, checked),
    headers: toKafkaHeaders(attributes, envelope.trace),
  };
}
