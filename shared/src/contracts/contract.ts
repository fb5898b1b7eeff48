import { Buffer } from "node:buffer";
import * as v from "valibot";
import { type FieldIssue, KafkaPairError } from "../errors.ts";

/** How a value is written to Kafka: JSON documents, or plain UTF-8 text like the tutorial's "ok". */
export type Encoding = "json" | "text";

// biome-ignore lint/suspicious/noExplicitAny: a contract may hold any valibot schema
export type AnySchema = v.GenericSchema<any, any>;

export interface TopicContract<TSchema extends AnySchema = AnySchema> {
  /** Kafka topic name. */
  readonly name: string;
  readonly description: string;
  readonly schema: TSchema;
  readonly encoding: Encoding;
  /** The record key: events with the same key land on the same partition, in order. */
  key(value: v.InferOutput<TSchema>): string | null;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** CloudEvents `type` of the events on this topic (reverse-DNS, e.g. `com.example.order.placed`). */
  readonly eventType: string;
  /** Largest encoded value accepted, in bytes; Kafka's default message.max.bytes is about 1 MiB. */
  readonly maxValueBytes?: number;
  /**
   * Where events go that this topic's consumers cannot handle (after their retries, or at once
   * when they break the contract): a topic named `<name>.dlq`, created along with this one.
   */
  readonly deadLetter?: DeadLetterDeclaration;
}

export interface DeadLetterDeclaration {
  readonly partitions: number;
  readonly replicationFactor: number;
}

/** The dead-letter topic's logical name, or undefined when the contract declares none. */
export function deadLetterTopicOf(contract: TopicContract): string | undefined {
  return contract.deadLetter ? `${contract.name}.dlq` : undefined;
}

export type EventOf<C extends TopicContract> = v.InferOutput<C["schema"]>;

export function defineTopic<TSchema extends AnySchema>(contract: TopicContract<TSchema>): TopicContract<TSchema> {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(contract.name)) throw new Error(`invalid topic name ${contract.name}`);
  if (contract.partitions < 1 || contract.replicationFactor < 1) {
    throw new Error(`topic ${contract.name}: partitions and replication factor must be >= 1`);
  }
  if (contract.deadLetter && (contract.deadLetter.partitions < 1 || contract.deadLetter.replicationFactor < 1)) {
    throw new Error(`topic ${contract.name}: dead-letter partitions and replication factor must be >= 1`);
  }
  return Object.freeze(contract);
}

/** valibot issues as data: one entry per failing field, ready for a 422 body. */
export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: v.getDotPath(issue) ?? "",
    message: issue.message,
    expected: issue.expected,
    received: issue.received,
  }));
}

/** Validate an event against its contract, or throw INVALID_EVENT naming each failing field. */
export function parseEvent<C extends TopicContract>(contract: C, input: unknown): EventOf<C> {
  const result = v.safeParse(contract.schema, input);
  if (!result.success) {
    throw new KafkaPairError("INVALID_EVENT", `event does not match the contract of topic ${contract.name}`, {
      issues: toFieldIssues(result.issues),
    });
  }
  return result.output;
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

export function encodeValue<C extends TopicContract>(contract: C, event: EventOf<C>): Uint8Array {
  const text = contract.encoding === "json" ? JSON.stringify(event) : String(event);
  // A lone surrogate (JSON's "\ud800") has no UTF-8 form: encoding would store U+FFFD instead.
  if (!text.isWellFormed()) {
    throw new KafkaPairError(
      "INVALID_EVENT",
      `event for topic ${contract.name} holds a lone surrogate: not Unicode text`,
    );
  }
  // Buffer.from, not TextEncoder: small results come from a shared pool instead of an
  // allocation each, about 0.9 µs less per record on Node and 0.5 µs on Deno (1 KiB events).
  return Buffer.from(text, "utf8");
}

/** Bytes from Kafka back to a checked event: the consumer trusts nothing it did not validate. */
export function decodeValue<C extends TopicContract>(contract: C, bytes: Uint8Array | null): EventOf<C> {
  if (bytes === null) throw new KafkaPairError("INVALID_EVENT", `null value on topic ${contract.name}`);
  let text: string;
  try {
    text = utf8Strict.decode(bytes);
  } catch (cause) {
    throw new KafkaPairError("INVALID_EVENT", `value on topic ${contract.name} is not UTF-8`, { cause });
  }
  let input: unknown = text;
  if (contract.encoding === "json") {
    try {
      input = JSON.parse(text);
    } catch (cause) {
      throw new KafkaPairError("MALFORMED_JSON", `value on topic ${contract.name} is not JSON`, { cause });
    }
  }
  return parseEvent(contract, input);
}
