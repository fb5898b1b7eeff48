import {
  type CloudEventAttributes,
  checkedValue,
  parseEvent,
  SPEC_VERSION,
  type TopicContract,
  type TraceHeaders,
  toKafkaHeaders,
  traceOf,
} from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Namespace } from "@kafka-pair/shared/runtime";
import type { ProduceRecord } from "@kafka-pair/shared/transport";
import type { Principal } from "../auth/principal.ts";
import { parseIJson } from "./i-json.ts";
import type { Candidate } from "./parse.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export interface RecordContext {
  namespace: Namespace;
  /** CloudEvents `source` when the sender gave none. */
  source: string;
  /**
   * The event id for a plain-JSON event: from the Idempotency-Key when the client sent one, else
   * random. A CloudEvent always keeps its own id: a key never replaces it.
   */
  id: string | undefined;
  /** The request's W3C trace context, when it sent a valid one. */
  trace: TraceHeaders | undefined;
  /** The trace started at the edge for this request's events that carry none. */
  newTrace: TraceHeaders;
  /** Who sent the request (none without authentication): recorded as the Auth Context extension. */
  principal?: Principal | undefined;
  /** The request's arrival as RFC 3339 (CloudEvents `time` when the sender gave none): once per request, not per record. */
  time: string;
}

export interface BuiltRecord {
  id: string;
  record: ProduceRecord;
}

/** The event's data as the contract's input: JSON as is, `data_base64` bytes decoded by the topic's encoding. */
function dataOf(contract: TopicContract, candidate: Candidate): unknown {
  const data = candidate.data;
  if (data === undefined) return undefined;
  if ("json" in data) return data.json;
  let text: string;
  try {
    text = strictUtf8.decode(data.bytes);
  } catch {
    throw new KafkaPairError("INVALID_EVENT", "data_base64 is not UTF-8 text", {
      issues: [{ path: "ce.data_base64", message: `topic ${contract.name} carries UTF-8 ${contract.encoding}` }],
    });
  }
  if (contract.encoding === "text") return text;
  try {
    return parseIJson(text, "data_base64");
  } catch (err) {
    if (err instanceof KafkaPairError && err.code === "NOT_I_JSON") throw err;
    throw new KafkaPairError("INVALID_EVENT", "data_base64 is not JSON", {
      issues: [{ path: "ce.data_base64", message: `topic ${contract.name} carries JSON` }],
    });
  }
}

/**
 * Checks one candidate against its contract and builds its Kafka record, with the CloudEvents
 * attributes as `ce_*` headers (the Kafka protocol binding's binary mode) and the W3C trace context.
 */
export function buildRecord(contract: TopicContract, candidate: Candidate, ctx: RecordContext): BuiltRecord {
  const given = candidate.event?.attributes;
  if (given?.type !== undefined && given.type !== contract.eventType) {
    throw new KafkaPairError("INVALID_EVENT", `topic ${contract.name} carries events of type ${contract.eventType}`, {
      issues: [{ path: "ce.type", message: `expected ${contract.eventType}`, received: given.type }],
    });
  }
  const event = parseEvent(contract, dataOf(contract, candidate));
  const value = checkedValue(contract, event);
  const attributes: CloudEventAttributes = {
    extensions: authContext(given?.extensions, ctx.principal),
    id: given?.id ?? ctx.id ?? crypto.randomUUID(),
    source: given?.source ?? ctx.source,
    type: contract.eventType,
    specversion: SPEC_VERSION,
    time: given?.time ?? ctx.time,
    // The record holds the contract's encoding, whatever the request's content type was.
    datacontenttype: contract.encoding === "json" ? "application/json" : "text/plain; charset=utf-8",
  };
  if (given?.subject !== undefined) attributes.subject = given.subject;
  if (given?.dataschema !== undefined) attributes.dataschema = given.dataschema;
  // The request's trace headers first, then the event's Distributed Tracing extension, else a new trace.
  const carried = candidate.event?.trace;
  const trace = ctx.trace ?? traceOf(carried?.traceparent, carried?.tracestate) ?? ctx.newTrace;
  return {
    id: attributes.id,
    record: {
      topic: ctx.namespace.topic(contract.name),
      key: contract.key(event),
      value,
      headers: toKafkaHeaders(attributes, trace),
    },
  };
}

/**
 * CloudEvents Auth Context extension (`authtype`, `authid`): who produced the event, as the edge
 * authenticated it. Set by the edge only: a request's own auth* attributes are dropped, so no
 * client can write in another's name.
 */
function authContext(extensions: Record<string, string> | undefined, principal: Principal | undefined) {
  const { authtype: _type, authid: _id, authclaims: _claims, ...rest } = extensions ?? {};
  return principal ? { ...rest, authtype: principal.type, authid: principal.id } : rest;
}
