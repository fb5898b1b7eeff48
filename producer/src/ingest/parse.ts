import { KafkaPairError } from "@kafka-pair/shared/errors";
import { type CloudEventV1, HTTP } from "cloudevents";

/** CloudEvents attributes a sender gave, to carry on as `ce_*` Kafka headers. */
export type CloudEventAttributes = Record<string, string>;

/** One event of a request before it meets its contract: its data, and its CloudEvents attributes if any. */
export interface Candidate {
  data: unknown;
  ce?: CloudEventAttributes;
}

export interface ParsedBody {
  /** A JSON array, NDJSON or a CloudEvents batch: answered with one result per record. */
  batch: boolean;
  items: Array<Candidate | KafkaPairError>;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new KafkaPairError("MALFORMED_JSON", `${what} is not valid JSON: ${(cause as Error).message}`);
  }
}

const notAttributes = new Set(["data", "data_base64", "datacontenttype"]);

function fromCloudEvent(event: CloudEventV1<unknown>): Candidate | KafkaPairError {
  try {
    (event as unknown as { validate(): void }).validate();
  } catch (err) {
    const errors = (err as { errors?: Array<{ params?: { missingProperty?: string }; message?: string }> }).errors;
    return new KafkaPairError("INVALID_EVENT", "not a valid CloudEvent", {
      issues: (errors ?? [{ message: (err as Error).message }]).map((e) => ({
        path: `ce.${e.params?.missingProperty ?? ""}`,
        message: e.message ?? "invalid",
      })),
    });
  }
  const ce: CloudEventAttributes = {};
  for (const [name, value] of Object.entries(event)) {
    if (!notAttributes.has(name) && value !== undefined && value !== null) ce[name] = String(value);
  }
  return { data: event.data, ce };
}

function toCloudEvents(headers: Record<string, string>, text: string): Array<Candidate | KafkaPairError> {
  let events: CloudEventV1<unknown> | CloudEventV1<unknown>[];
  try {
    events = HTTP.toEvent({ headers, body: text });
  } catch (cause) {
    if (cause instanceof SyntaxError)
      throw new KafkaPairError("MALFORMED_JSON", `body is not valid JSON: ${cause.message}`);
    throw new KafkaPairError("INVALID_EVENT", `not a CloudEvents request: ${(cause as Error).message}`);
  }
  return (Array.isArray(events) ? events : [events]).map(fromCloudEvent);
}

/**
 * Reads a produce request into candidate events. Accepted: JSON (one event, or an array
 * as a batch), NDJSON (a batch, one event per line), and CloudEvents over HTTP in binary
 * mode (`ce-*` headers), structured mode and batch mode.
 */
export function parseBody(headers: Record<string, string>, text: string): ParsedBody {
  const type = mediaType(headers["content-type"]);
  if (type === "application/cloudevents+json") return { batch: false, items: toCloudEvents(headers, text) };
  if (type === "application/cloudevents-batch+json") {
    if (!Array.isArray(parseJson(text, "body"))) {
      throw new KafkaPairError("MALFORMED_JSON", "a CloudEvents batch must be a JSON array");
    }
    return { batch: true, items: toCloudEvents(headers, text) };
  }
  if (type === "application/x-ndjson") {
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    return {
      batch: true,
      items: lines.map((line, index) => {
        try {
          return { data: parseJson(line, `line ${index + 1}`) };
        } catch (err) {
          return err as KafkaPairError;
        }
      }),
    };
  }
  if (type === "application/json" || type.endsWith("+json")) {
    // Binary mode: the body is the data, the attributes travel as ce-* headers.
    if (headers["ce-specversion"] !== undefined) return { batch: false, items: toCloudEvents(headers, text) };
    const body = parseJson(text, "body");
    if (Array.isArray(body)) return { batch: true, items: body.map((data) => ({ data })) };
    return { batch: false, items: [{ data: body }] };
  }
  throw new KafkaPairError(
    "UNSUPPORTED_MEDIA_TYPE",
    "send application/json, application/x-ndjson, or CloudEvents (application/cloudevents+json, application/cloudevents-batch+json)",
  );
}
