import {
  type CloudEventAttributes,
  cloudEventFrom,
  contracts,
  deadLetterTopicOf,
  decodeValue,
  type TopicContract,
  type TraceContext,
  traceContextFrom,
} from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Namespace } from "@kafka-pair/shared/runtime";
import type { StoredRecord } from "../cluster/types.ts";

/** What a topic is to the console: a contract's topic, its dead-letter topic, or neither. */
export type TopicRole =
  | { kind: "contract"; contract: TopicContract }
  | { kind: "dead-letter"; contract: TopicContract; source: string }
  | { kind: "other"; deadLetter: boolean; source?: string };

/** The role of a (namespaced) topic name under this namespace. */
export function topicRole(ns: Namespace, topic: string): TopicRole {
  for (const contract of contracts as readonly TopicContract[]) {
    if (topic === ns.topic(contract.name)) return { kind: "contract", contract };
    const dlq = deadLetterTopicOf(contract);
    if (dlq && topic === ns.topic(dlq)) return { kind: "dead-letter", contract, source: ns.topic(contract.name) };
  }
  // Any `<name>.dlq` is a dead-letter topic by this project's naming, contract or not.
  if (topic.endsWith(".dlq")) return { kind: "other", deadLetter: true, source: topic.slice(0, -".dlq".length) };
  return { kind: "other", deadLetter: false };
}

export type ContractCheck =
  | { status: "valid"; contract: string }
  | { status: "invalid"; contract: string; message: string; issues: Array<{ path: string; message: string }> }
  | { status: "none" };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/** Bytes as text when they are UTF-8, else undefined. */
export function asUtf8(bytes: Uint8Array | null): string | undefined {
  if (bytes === null) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export interface DecodedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  /** The key as text, or its bytes in hex when it is not UTF-8; null when absent. */
  key: string | null;
  keyIsBinary: boolean;
  /** The value as text (invalid UTF-8 shown with replacement characters); null for a tombstone. */
  value: string | null;
  /** Pretty-printed when the value is JSON. */
  pretty: string | null;
  valueBytes: number;
  check: ContractCheck;
  cloudEvent: CloudEventAttributes | undefined;
  trace: TraceContext | undefined;
  /** dlq_* headers (why and from where a dead letter came). */
  deadLetter: Record<string, string>;
  /** Every other header. */
  otherHeaders: Record<string, string>;
  headers: Record<string, string>;
}

function checkAgainst(role: TopicRole, value: Uint8Array | null): ContractCheck {
  if (role.kind === "other") return { status: "none" };
  try {
    decodeValue(role.contract, value);
    return { status: "valid", contract: role.contract.name };
  } catch (err) {
    if (!(err instanceof KafkaPairError)) throw err;
    return {
      status: "invalid",
      contract: role.contract.name,
      message: err.message,
      issues: (err.issues ?? []).map((i) => ({ path: i.path || "(value)", message: i.message })),
    };
  }
}

const isCloudEventHeader = (name: string) => name.startsWith("ce_") || name === "content-type";
const isTraceHeader = (name: string) => name === "traceparent" || name === "tracestate";

/** A stored record laid out for display: its contract check, CloudEvents and trace headers apart. */
export function decodeRecord(role: TopicRole, record: StoredRecord): DecodedRecord {
  const keyText = asUtf8(record.key);
  const value = record.value === null ? null : lossy.decode(record.value);
  let pretty: string | null = null;
  if (value !== null) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === "object" && parsed !== null) pretty = JSON.stringify(parsed, null, 2);
    } catch {
      // Not JSON: shown as text.
    }
  }
  const cloudEvent = cloudEventFrom(record.headers);
  const deadLetter: Record<string, string> = {};
  const otherHeaders: Record<string, string> = {};
  for (const [name, text] of Object.entries(record.headers)) {
    if (name.startsWith("dlq_")) deadLetter[name] = text;
    else if (!(cloudEvent && isCloudEventHeader(name)) && !isTraceHeader(name)) otherHeaders[name] = text;
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : (keyText ?? hex(record.key)),
    keyIsBinary: record.key !== null && keyText === undefined,
    value,
    pretty,
    valueBytes: record.value?.length ?? 0,
    check: checkAgainst(role, record.value),
    cloudEvent,
    trace: traceContextFrom(record.headers),
    deadLetter,
    otherHeaders,
    headers: record.headers,
  };
}
