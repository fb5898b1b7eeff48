import { KafkaPairError } from "@kafka-pair/shared/errors";
import { type ReadEvent, readBinaryHttpEvent, readStructuredEvent } from "./cloudevents-http.ts";
import { parseIJson } from "./i-json.ts";

/** One event of a request before it meets its contract: its data, and its CloudEvents envelope if any. */
export interface Candidate {
  /** The event's data: a JSON value, or bytes (CloudEvents `data_base64`); absent when the event has none. */
  data?: { json: unknown } | { bytes: Uint8Array };
  /** Present for CloudEvents requests (binary, structured or batch mode). */
  event?: Omit<ReadEvent, "data">;
}

export interface ParsedBody {
  /** A JSON array, NDJSON or a CloudEvents batch: answered with one result per record. */
  batch: boolean;
  items: Array<Candidate | KafkaPairError>;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Every JSON text of a request is read as I-JSON: duplicate names and lone surrogates are refused. */
const parseJson = parseIJson;

function fromRead(read: ReadEvent): Candidate | KafkaPairError {
  if (read.issues.length > 0)
    return new KafkaPairError("INVALID_EVENT", "not a valid CloudEvent", { issues: read.issues });
  const { data, ...event } = read;
  return data === undefined ? { event } : { data, event };
}

/**
 * Reads a produce request into candidate events. Accepted: JSON (one event, or an array as a
 * batch), NDJSON (a batch, one event per line), and CloudEvents 1.0 over HTTP in binary mode
 * (`ce-*` headers), structured mode and batch mode. `text` is already checked to be UTF-8.
 */
export function parseBody(headers: Record<string, string>, text: string): ParsedBody {
  const type = mediaType(headers["content-type"]);
  if (type === "application/cloudevents+json") {
    return { batch: false, items: [fromRead(readStructuredEvent(parseJson(text, "body")))] };
  }
  if (type === "application/cloudevents-batch+json") {
    const body = parseJson(text, "body");
    if (!Array.isArray(body)) throw new KafkaPairError("MALFORMED_JSON", "a CloudEvents batch must be a JSON array");
    return { batch: true, items: body.map((event) => fromRead(readStructuredEvent(event))) };
  }
  if (type === "application/x-ndjson") {
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    return {
      batch: true,
      items: lines.map((line, index) => {
        try {
          return { data: { json: parseJson(line, `line ${index + 1}`) } };
        } catch (err) {
          return err as KafkaPairError;
        }
      }),
    };
  }
  if (type === "application/json" || type.endsWith("+json")) {
    const body = parseJson(text, "body");
    // Binary mode: the body is the data, the attributes travel as ce-* headers. Any ce-* header
    // means binary mode, so a request that forgot ce-specversion is refused rather than half read.
    if (Object.keys(headers).some((name) => name.toLowerCase().startsWith("ce-"))) {
      const read = readBinaryHttpEvent(headers);
      return { batch: false, items: [fromRead({ ...read, data: { json: body } })] };
    }
    if (Array.isArray(body)) return { batch: true, items: body.map((json) => ({ data: { json } })) };
    return { batch: false, items: [{ data: { json: body } }] };
  }
  throw new KafkaPairError(
    "UNSUPPORTED_MEDIA_TYPE",
    "send application/json, application/x-ndjson, or CloudEvents (application/cloudevents+json, application/cloudevents-batch+json)",
  );
}
