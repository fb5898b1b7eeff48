/**
 * The CloudEvents HTTP binding as the edge reads it: structured mode (`application/cloudevents+json`,
 * one object or a batch's) and binary mode (`ce-*` headers). What breaks the spec is collected as
 * field issues, never thrown. The Kafka side of the envelope is shared: @kafka-pair/shared/contracts.
 */
import {
  type CloudEventAttributes,
  isRealDateTime,
  NOT_EXTENSIONS,
  OPTIONAL_ATTRIBUTES,
  REQUIRED_ATTRIBUTES,
  SPEC_VERSION,
} from "@kafka-pair/shared/contracts";
import type { FieldIssue } from "@kafka-pair/shared/errors";

/** Trace context travels in its own W3C headers, not as `ce_` extensions. */
const TRACE_ATTRIBUTES = new Set(["traceparent", "tracestate"]);
/** Core 1.0: "lower-case alphabet (a-z) or digits (0-9)"; SHOULD be at most 20 characters. */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** One event read from the HTTP side: its attributes, its data, and what breaks the spec. */
export interface ReadEvent {
  attributes: Partial<CloudEventAttributes> & { extensions: Record<string, string> };
  /** Present unless the event has no data. */
  data?: { json: unknown } | { bytes: Uint8Array };
  /** Trace context the event carried as Distributed Tracing extension attributes. */
  trace: { traceparent?: string; tracestate?: string };
  issues: FieldIssue[];
}

/** The spec's Integer type: a 32-bit signed whole number. */
function isInt32(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647;
}

function attributeValue(name: string, value: unknown, issues: FieldIssue[]): string | undefined {
  // JSON format: String, URI, Timestamp... are strings; extensions may also be integers or booleans.
  if (typeof value === "string") return value;
  if (!NOT_EXTENSIONS.has(name) && (typeof value === "boolean" || isInt32(value))) return String(value);
  issues.push({
    path: `ce.${name}`,
    message: NOT_EXTENSIONS.has(name) ? "must be a string" : "must be a string, a 32-bit integer or a boolean",
  });
  return undefined;
}

function checkAttributes(read: ReadEvent): ReadEvent {
  const { attributes: a, issues } = read;
  for (const name of REQUIRED_ATTRIBUTES) {
    if (a[name] === undefined || a[name] === "") issues.push({ path: `ce.${name}`, message: "required" });
  }
  if (a.specversion !== undefined && a.specversion !== SPEC_VERSION) {
    issues.push({ path: "ce.specversion", message: `must be "${SPEC_VERSION}"`, received: a.specversion });
  }
  if (a.subject === "") issues.push({ path: "ce.subject", message: "must not be empty" });
  if (a.time !== undefined && !isRealDateTime(a.time)) {
    issues.push({ path: "ce.time", message: "must be an RFC 3339 timestamp", received: a.time });
  }
  if (a.dataschema !== undefined && !URL.canParse(a.dataschema)) {
    issues.push({ path: "ce.dataschema", message: "must be an absolute URI" });
  }
  return read;
}

function setAttribute(read: ReadEvent, name: string, value: string): void {
  if (TRACE_ATTRIBUTES.has(name)) read.trace[name as "traceparent"] = value;
  else if (
    (REQUIRED_ATTRIBUTES as readonly string[]).includes(name) ||
    (OPTIONAL_ATTRIBUTES as readonly string[]).includes(name)
  ) {
    (read.attributes as unknown as Record<string, string>)[name] = value;
  } else if (!EXTENSION_NAME.test(name)) {
    read.issues.push({ path: `ce.${name}`, message: "extension names are 1-20 lower-case letters or digits" });
  } else read.attributes.extensions[name] = value;
}

/** A structured-mode event (one object of `application/cloudevents+json` or of a batch). */
export function readStructuredEvent(input: unknown): ReadEvent {
  const read: ReadEvent = { attributes: { extensions: {} }, trace: {}, issues: [] };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    read.issues.push({ path: "", message: "a CloudEvent must be a JSON object" });
    return read;
  }
  const event = input as Record<string, unknown>;
  if ("data" in event && "data_base64" in event) {
    read.issues.push({ path: "ce.data_base64", message: "data and data_base64 are mutually exclusive" });
  }
  for (const [name, value] of Object.entries(event)) {
    if (name === "data" || name === "data_base64" || value === null) continue;
    const text = attributeValue(name, value, read.issues);
    if (text !== undefined) setAttribute(read, name, text);
  }
  if (typeof event.data_base64 === "string") {
    const bytes = decodeBase64(event.data_base64);
    if (bytes) read.data = { bytes };
    else read.issues.push({ path: "ce.data_base64", message: "must be base64" });
  } else if (event.data_base64 !== undefined && event.data_base64 !== null) {
    read.issues.push({ path: "ce.data_base64", message: "must be a base64 string" });
  } else if ("data" in event) read.data = { json: event.data };
  return checkAttributes(read);
}

/**
 * A binary-mode event: attributes from `ce-*` HTTP headers (percent-decoded, as the HTTP binding
 * says), `datacontenttype` from Content-Type; the body is the data.
 */
export function readBinaryHttpEvent(headers: Record<string, string>): ReadEvent {
  const read: ReadEvent = { attributes: { extensions: {} }, trace: {}, issues: [] };
  for (const [header, raw] of Object.entries(headers)) {
    const name = header.toLowerCase();
    if (!name.startsWith("ce-")) continue;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      read.issues.push({ path: `ce.${name.slice(3)}`, message: "malformed percent-encoding" });
      continue;
    }
    setAttribute(read, name.slice(3), value);
  }
  if (headers["content-type"]) read.attributes.datacontenttype = headers["content-type"];
  return checkAttributes(read);
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}
