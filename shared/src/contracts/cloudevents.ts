/**
 * The CloudEvents 1.0 attributes of an event and the Kafka protocol binding (binary mode: one
 * `ce_<name>` header per attribute), written by the producer and read back by the consumer and
 * the console. Pure functions, no Kafka client. The HTTP binding (reading a request) is the
 * producer's alone: producer/src/ingest/cloudevents-http.ts.
 *
 * Written here rather than taken from the `cloudevents` SDK because the SDK fills in a missing
 * `id` and `time` and accepts specversion 0.3, so it cannot tell a conformant event from one that
 * is not; these rules are few and are the spec's own (CloudEvents 1.0.2 core, JSON format, HTTP
 * and Kafka protocol bindings).
 */
import type { TraceHeaders } from "./trace-context.ts";

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

export const REQUIRED_ATTRIBUTES = ["id", "source", "type", "specversion"] as const;
export const OPTIONAL_ATTRIBUTES = ["time", "subject", "datacontenttype", "dataschema"] as const;
/** The attributes written as `ce_*` headers (datacontenttype is the record's content-type). */
const HEADER_ATTRIBUTES = [...REQUIRED_ATTRIBUTES, "time", "subject", "dataschema"] as const;
/** Attribute names reserved by the spec or by the JSON format; never extensions. */
export const NOT_EXTENSIONS: ReadonlySet<string> = new Set<string>([
  ...REQUIRED_ATTRIBUTES,
  ...OPTIONAL_ATTRIBUTES,
  "data",
  "data_base64",
]);

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
