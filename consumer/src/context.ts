import type { Headers } from "@kafka-pair/shared/transport";

/** CloudEvents attributes carried in binary mode as `ce_*` headers (Kafka protocol binding). */
export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  specversion: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** Any other `ce_*` header, without its prefix. */
  extensions: Record<string, string>;
}

const KNOWN = new Set(["id", "source", "type", "specversion", "time", "subject", "dataschema"]);

/** The event's CloudEvents attributes, or undefined when a required one is missing. */
export function cloudEventFrom(headers: Headers): CloudEventAttributes | undefined {
  const { ce_id: id, ce_source: source, ce_type: type, ce_specversion: specversion } = headers;
  if (!id || !source || !type || !specversion) return undefined;
  const attributes: CloudEventAttributes = { id, source, type, specversion, extensions: {} };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("ce_")) continue;
    const attribute = name.slice(3);
    if (attribute === "time" || attribute === "subject" || attribute === "dataschema") attributes[attribute] = value;
    else if (!KNOWN.has(attribute)) attributes.extensions[attribute] = value;
  }
  // The binding maps datacontenttype to the record's content-type header.
  const contentType = headers["content-type"];
  if (contentType) attributes.datacontenttype = contentType;
  return attributes;
}

/** W3C Trace Context of the producing span. */
export interface TraceContext {
  traceparent: string;
  traceId: string;
  /** The producer's span: the parent of any span the handler starts. */
  parentSpanId: string;
  sampled: boolean;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses `traceparent` (and `tracestate`); undefined when absent or malformed, as the spec says to ignore it. */
export function traceContextFrom(headers: Headers): TraceContext | undefined {
  const header = headers.traceparent?.trim().toLowerCase();
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
  if (headers.tracestate) trace.tracestate = headers.tracestate;
  return trace;
}
