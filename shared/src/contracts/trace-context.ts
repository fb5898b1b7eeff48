/**
 * W3C Trace Context (`traceparent`, `tracestate`) on the wire: parsed from an HTTP request or a
 * consumed record's headers, carried on, or started here. Pure functions, no Kafka client.
 */
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
