import { contracts } from "@kafka-pair/shared/contracts";
import { ErrorCode } from "@kafka-pair/shared/errors";
import { toJsonSchema } from "@valibot/to-json-schema";
import { openApiParameters } from "./request.ts";

const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "retriable"],
      properties: {
        code: { type: "string", enum: Object.values(ErrorCode) },
        message: { type: "string" },
        retriable: { type: "boolean" },
        issues: {
          type: "array",
          items: {
            type: "object",
            required: ["path", "message"],
            properties: { path: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
};

const stored = {
  type: "object",
  required: ["id", "topic", "partition", "offset", "timestamp"],
  properties: {
    id: { type: "string", description: "Event id: the Idempotency-Key, the CloudEvent id, or a new UUID" },
    topic: { type: "string" },
    partition: { type: "integer" },
    offset: { type: "string", description: "Kafka offset, as a string (64-bit)" },
    timestamp: { type: "integer", description: "Record timestamp, ms since the epoch" },
  },
};

const batchBody = {
  type: "object",
  required: ["topic", "atomic", "stored", "failed", "results"],
  properties: {
    topic: { type: "string" },
    atomic: { type: "boolean" },
    stored: { type: "integer" },
    failed: { type: "integer" },
    results: {
      type: "array",
      description: "One result per record, in request order: its offset, or its own error",
      items: {
        type: "object",
        required: ["index", "status"],
        properties: {
          index: { type: "integer" },
          status: { type: "integer" },
          ...stored.properties,
          error: errorBody.properties.error,
        },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: errorBody } },
});

/** A status that a single event answers with the error model and a batch with its batch result. */
const errorOrBatch = (description: string) => ({
  description,
  content: { "application/json": { schema: { oneOf: [errorBody, batchBody] } } },
});

/** JSON Schema of a valibot schema, without the `$schema` line (OpenAPI 3.1 has its own dialect). */
function jsonSchema(schema: Parameters<typeof toJsonSchema>[0]) {
  const { $schema: _, ...rest } = toJsonSchema(schema, { errorMode: "ignore" }) as Record<string, unknown>;
  return rest;
}

const methodNotAllowed = {
  description: "Method not allowed on this path; the Allow header lists the ones it has",
  headers: { Allow: { schema: { type: "string" } } },
  content: { "application/json": { schema: errorBody } },
};

/** The produce route's answers: every status it can send. */
const produceResponses = {
  "201": {
    description: "Stored (one event, or every event of a batch)",
    content: { "application/json": { schema: { oneOf: [stored, batchBody] } } },
  },
  "207": {
    description: "Batch: some events stored, some not",
    content: { "application/json": { schema: batchBody } },
  },
  "400": errorResponse(
    "Malformed JSON, JSON that is not I-JSON (a member name twice at any depth, a lone surrogate: NOT_I_JSON), a body that is not UTF-8, or a query parameter or header outside its declaration (also given twice, or unknown)",
  ),
  "401": errorResponse("Missing, unknown, expired or wrongly signed bearer credential (API key or JWT)"),
  "403": errorResponse("The principal may not produce to this topic"),
  "404": errorResponse("No contract for this topic"),
  "405": methodNotAllowed,
  "409": errorResponse("Idempotency-Key reused with another request"),
  "413": errorOrBatch("Body or event too large"),
  "415": errorResponse("Unsupported Content-Type, or a Content-Encoding (compressed bodies are refused)"),
  "422": errorOrBatch("Event does not match the contract or CloudEvents 1.0; issues name each failing field"),
  "499": errorResponse("Never heard: the client closed the request before it was read (a metrics label)"),
  "500": errorResponse("A bug: the edge could not answer otherwise"),
  "501": errorOrBatch("atomic=true with a Kafka client that has no transactions"),
  "502": errorOrBatch("Kafka refused the record or the transaction was aborted"),
  "503": errorOrBatch(
    "Cluster unreachable, produce queue full, shutting down, or the shared Idempotency-Key store unreachable; see Retry-After",
  ),
  "504": errorOrBatch("Delivery timed out: the outcome is unknown, retry with the same Idempotency-Key"),
};

const get = (summary: string, responses: Record<string, unknown>) => ({
  get: { summary, responses: { ...responses, "405": methodNotAllowed } },
});

/** The producer's API, generated from the contracts and the route's declared parameters. */
export function openApiDocument() {
  const paths: Record<string, unknown> = {};
  for (const contract of contracts) {
    const event = jsonSchema(contract.schema);
    // `data` is required here, though `data_base64` may stand in for it (its bytes in the topic's
    // encoding): JSON Schema cannot say "base64 of a valid event", so the schema documents `data`
    // and the operation's description `data_base64`.
    const cloudEvent = {
      type: "object",
      required: ["specversion", "id", "source", "type", "data"],
      properties: {
        specversion: { const: "1.0" },
        id: { type: "string", minLength: 1 },
        source: { type: "string", minLength: 1 },
        type: { const: contract.eventType },
        subject: { type: "string", minLength: 1 },
        time: { type: "string", format: "date-time" },
        datacontenttype: { type: "string" },
        dataschema: { type: "string", format: "uri" },
        data: event,
      },
      // Extension attributes: CloudEvents names (lower-case letters and digits) with String,
      // Integer (32-bit) or Boolean values.
      propertyNames: { pattern: "^[a-z0-9]{1,20}$" },
      additionalProperties: {
        oneOf: [
          { type: "string" },
          { type: "integer", minimum: -2147483648, maximum: 2147483647 },
          { type: "boolean" },
        ],
      },
    };
    paths[`/topics/${contract.name}`] = {
      post: {
        summary: `Produce ${contract.eventType} events to ${contract.name}`,
        description:
          `${contract.description} Answered from Kafka's delivery report (acks=all, idempotent producer). ` +
          "CloudEvents 1.0 in binary (ce-* headers), structured and batch mode; a structured event may carry " +
          "`data_base64` instead of `data` when its bytes are this topic's encoding (UTF-8 JSON or text).",
        parameters: openApiParameters(),
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { oneOf: [event, { type: "array", minItems: 1, items: event }] } },
            "application/x-ndjson": { schema: { type: "string", description: "One event per line, at least one" } },
            "application/cloudevents+json": { schema: cloudEvent },
            "application/cloudevents-batch+json": { schema: { type: "array", minItems: 1, items: cloudEvent } },
          },
        },
        responses: produceResponses,
      },
    };
  }
  paths["/kafka/health"] = get(
    'The tutorial\'s ping: sends "ok" to health. HEAD is refused (405): it would send one.',
    {
      "200": { description: "Delivered" },
      "401": errorResponse("Missing, unknown, expired or wrongly signed bearer credential (API key or JWT)"),
      "403": errorResponse("The principal may not produce to the health topic"),
      "502": errorResponse("Kafka refused the record"),
      "503": errorResponse("Cluster unreachable; see Retry-After"),
      "504": errorResponse("Delivery timed out"),
    },
  );
  paths["/health"] = get("Liveness", { "200": { description: "Up" } });
  paths["/ready"] = get("Readiness: connected to Kafka and not draining", {
    "200": { description: "Ready" },
    "503": { description: "Not ready" },
  });
  paths["/metrics"] = get("Prometheus metrics", { "200": { description: "Text exposition format" } });
  paths["/openapi.json"] = get("This document", { "200": { description: "OpenAPI 3.1" } });
  return {
    openapi: "3.1.0",
    info: {
      title: "kafka-pair producer",
      version: "0.1.0",
      description: "HTTP to Kafka, validated against shared topic contracts.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}
