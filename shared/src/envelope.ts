/**
 * The event envelope on the wire, in one place for both workers: CloudEvents 1.0 attributes
 * (HTTP binding in, Kafka binding `ce_*` headers out and back) and W3C Trace Context
 * (`traceparent`, `tracestate`). Pure functions, no Kafka client: the contracts' side of shared/.
 *
 * Written here rather than taken from the `cloudevents` SDK because the SDK fills in a missing
 * `id` and `time` and accepts specversion 0.3, so it cannot tell a conformant event from one that
 * is not; these rules are few and are the spec's own (CloudEvents 1.0.2 core, JSON format, HTTP
 * and Kafka protocol bindings).
 */
import type { FieldIssue } from "./errors.ts";

export const SPEC_VERSION = "1.0";

/** CloudEvents attributes of one event, as carried in `ce_*` Kafka headers (binary content mode). */
export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  specversion: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** Extension attributes, by name (lower-case a-z and 0-9), values as strings. */
  extensions: Record<string, string>;
}

const REQUIRED = ["id", "source", "type", "specversion"] as const;
const OPTIONAL = ["time", "subject", "datacontenttype", "dataschema"] as const;
/** The attributes written as `ce_*` headers (datacontenttype is the record's content-type). */
const HEADER_ATTRIBUTES = [...REQUIRED, "time", "subject", "dataschema"] as const;
/** Attribute names reserved by the spec or by the JSON format; never extensions. */
const NOT_EXTENSIONS = new Set<string>([...REQUIRED, ...OPTIONAL, "data", "data_base64"]);
/** Trace context travels in its own W3C headers, not as `ce_` extensions. */
const TRACE_ATTRIBUTES = new Set(["traceparent", "tracestate"]);
/** Core 1.0: "lower-case alphabet (a-z) or digits (0-9)"; SHOULD be at most 20 characters. */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
/** RFC 3339 date-time as the spec's Timestamp type requires. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A date-time string that names a real instant: the calendar date and time fields exist (no 30 February). */
export function isRealDateTime(value: string): boolean {
  if (!RFC3339.test(value)) return false;
  // The pattern fixed every field's position; it runs once per event, hence no capture groups.
  const field = (at: number, length: number) => Number(value.slice(at, at + length));
  const y = field(0, 4);
  const mo = field(5, 2);
  const d = field(8, 2);
  // Arithmetic, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1];
  return days !== undefined && d >= 1 && d <= days && field(11, 2) <= 23 && field(14, 2) <= 59 && field(17, 2) <= 59;
}

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
  for (const name of REQUIRED) {
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
  else if ((REQUIRED as readonly string[]).includes(name) || (OPTIONAL as readonly string[]).includes(name)) {
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

/** The Kafka protocol binding, binary mode: one `ce_<name>` header per attribute. */
export function toKafkaHeaders(
  attributes: CloudEventAttributes,
  trace: TraceHeaders | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in attributes.extensions) headers[`ce_${name}`] = attributes.extensions[name] as string;
  for (const name of HEADER_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  // The binding maps datacontenttype to the record's content-type header.
  if (attributes.datacontenttype) headers["content-type"] = attributes.datacontenttype;
  if (trace) {
    headers.traceparent = trace.traceparent;
    if (trace.tracestate) headers.tracestate = trace.tracestate;
  }
  return headers;
}

/** The event's CloudEvents attributes from its Kafka headers, or undefined when a required one is missing. */
export function cloudEventFrom(headers: Record<string, string>): CloudEventAttributes | undefined {
  const { ce_id: id, ce_source: source, ce_type: type, ce_specversion: specversion } = headers;
  if (!id || !source || !type || !specversion) return undefined;
  const attributes: CloudEventAttributes = { id, source, type, specversion, extensions: {} };
  for (const header in headers) {
    if (!header.startsWith("ce_")) continue;
    const value = headers[header] as string;
    const name = header.slice(3);
    if (name === "time" || name === "subject" || name === "dataschema") attributes[name] = value;
    else if (!NOT_EXTENSIONS.has(name)) attributes.extensions[name] = value;
  }
  const contentType = headers["content-type"];
  if (contentType) attributes.datacontenttype = contentType;
  return attributes;
}

// ---- W3C Trace Context ----

export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/** W3C Trace Context of the producing side. */
export interface TraceContext extends TraceHeaders {
  traceId: string;
  /** The producer's span: the parent of any span the handler starts. */
  parentSpanId: string;
  sampled: boolean;
}

/** The one traceparent grammar (version, trace id, parent id, flags, and a later version's extra fields). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** tracestate: at most 32 list members of key=value, 512 characters in all (W3C limits). */
const TRACESTATE_MEMBER =
  /^[a-z0-9][_0-9a-z\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Parses a traceparent (and its tracestate); undefined when absent or invalid, which the spec says to ignore. */
export function parseTraceparent(traceparent: string | undefined, tracestate?: string): TraceContext | undefined {
  const header = traceparent?.trim().toLowerCase();
  const match = header ? TRACEPARENT.exec(header) : null;
  if (!header || !match) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is invalid; version 00 has no trailing fields; all-zero ids are invalid.
  if (version === "ff" || (version === "00" && rest) || /^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) {
    return undefined;
  }
  const trace: TraceContext = {
    traceparent: header,
    traceId,
    parentSpanId,
    sampled: (Number.parseInt(flags, 16) & 1) === 1,
  };
  const state = validTracestate(tracestate);
  if (state) trace.tracestate = state;
  return trace;
}

/** tracestate as received when it is well-formed; an invalid one is dropped, as the spec allows. */
function validTracestate(value: string | undefined): string | undefined {
  if (!value || value.length > 512) return undefined;
  const members = value
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  if (members.length === 0 || members.length > 32 || !members.every((m) => TRACESTATE_MEMBER.test(m))) return undefined;
  return value;
}

/** Trace context of a consumed record, from its `traceparent` and `tracestate` headers. */
export function traceContextFrom(headers: Record<string, string>): TraceContext | undefined {
  return parseTraceparent(headers.traceparent, headers.tracestate);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
/**
 * Random bytes drawn 4 KiB at a time, as Node's randomUUID does: one getRandomValues call per
 * request was a tenth of a single-event POST's CPU (bench --cpu-prof). Trace ids need to be
 * unique, not secret.
 */
const randomPool = new Uint8Array(4096);
let poolAt = randomPool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > randomPool.length) {
    crypto.getRandomValues(randomPool);
    poolAt = 0;
  }
  let hex = "";
  for (const end = poolAt + bytes; poolAt < end; poolAt++) hex += HEX[randomPool[poolAt] as number];
  return hex;
}

/** The trace headers to carry on, whole, when the traceparent is valid (an invalid tracestate is dropped). */
export function traceOf(traceparent: string | undefined, tracestate: string | undefined): TraceHeaders | undefined {
  const trace = parseTraceparent(traceparent, tracestate);
  if (!trace) return undefined;
  return trace.tracestate
    ? { traceparent: trace.traceparent, tracestate: trace.tracestate }
    : { traceparent: trace.traceparent };
}

/**
 * A new trace started here, for events that came with none (flags 00: the edge records no span,
 * so it claims no sampling decision).
 */
export function startTrace(): TraceHeaders {
  let traceId = randomHex(16);
  while (/^0+$/.test(traceId)) traceId = randomHex(16);
  let spanId = randomHex(8);
  while (/^0+$/.test(spanId)) spanId = randomHex(8);
  return { traceparent: `00-${traceId}-${spanId}-00` };
}
