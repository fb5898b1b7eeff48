import { KafkaPairError } from "@kafka-pair/shared/errors";
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";

/**
 * The produce route's query parameters and request headers, declared once: the route checks
 * requests against these schemas and the OpenAPI document is generated from them.
 */
interface Parameter {
  in: "query" | "header";
  name: string;
  schema: v.GenericSchema<string, string>;
  description: string;
  /** The error a value outside the schema gets. */
  error: "INVALID_REQUEST" | "UNSUPPORTED_MEDIA_TYPE";
}

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export const produceParameters = [
  {
    in: "query",
    name: "atomic",
    schema: v.picklist(["true", "false"]),
    description: "true: store the batch in one Kafka transaction, all records or none. Given at most once.",
    error: "INVALID_REQUEST",
  },
  {
    in: "header",
    name: "Idempotency-Key",
    schema: v.pipe(v.string(), v.regex(IDEMPOTENCY_KEY)),
    description:
      "1-200 visible ASCII characters. A retry with the same key and the same request (JSON compared " +
      "without whitespace or key order) gets the first answer and produces nothing; another request under " +
      "the key gets 409. For plain JSON the key is the event id (`<key>-<index>` in a batch); a CloudEvent keeps its own id.",
    error: "INVALID_REQUEST",
  },
  {
    in: "header",
    name: "Content-Encoding",
    schema: v.picklist(["identity"]),
    description: "Compressed bodies are refused with 415: send the body as is (or say `identity`).",
    error: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    in: "header",
    name: "traceparent",
    schema: v.string(),
    description:
      "W3C trace context, carried to the record whole with tracestate. Invalid or absent: the edge starts a new trace.",
    error: "INVALID_REQUEST",
  },
  {
    in: "header",
    name: "tracestate",
    schema: v.string(),
    description: "W3C trace state, carried with a valid traceparent.",
    error: "INVALID_REQUEST",
  },
] as const satisfies readonly Parameter[];

export interface ProduceRequest {
  atomic: boolean;
  idempotencyKey: string | undefined;
}

/**
 * Checks a produce request's query string and headers against the declarations. A parameter
 * given twice, or one not declared, makes the request's meaning ambiguous: it is refused.
 */
export function readProduceRequest(url: string, header: (name: string) => string | undefined): ProduceRequest {
  // Most requests have no query string: no URL to parse then.
  const query = url.includes("?") ? new URL(url).searchParams : new URLSearchParams();
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name)) throw new KafkaPairError("INVALID_REQUEST", `query parameter ${name} is given more than once`);
    seen.add(name);
    if (!produceParameters.some((p) => p.in === "query" && p.name === name)) {
      throw new KafkaPairError("INVALID_REQUEST", `unknown query parameter ${name}`);
    }
  }
  const values: Record<string, string | undefined> = {};
  for (const parameter of produceParameters) {
    const value = parameter.in === "query" ? (query.get(parameter.name) ?? undefined) : header(parameter.name);
    if (value === undefined) continue;
    // Header values compare case-insensitively where the schema is a fixed list (Content-Encoding).
    const input = parameter.name === "Content-Encoding" ? value.trim().toLowerCase() : value;
    if (!v.is(parameter.schema, input)) {
      throw new KafkaPairError(parameter.error, `${parameter.name}: ${parameter.description}`);
    }
    values[parameter.name] = input;
  }
  return { atomic: values.atomic === "true", idempotencyKey: values["Idempotency-Key"] };
}

/** The declarations as OpenAPI 3.1 parameter objects. */
export function openApiParameters() {
  return produceParameters.map((p) => ({
    name: p.name,
    in: p.in,
    required: false,
    description: p.description,
    schema: toJsonSchema(p.schema, { errorMode: "ignore" }),
  }));
}
