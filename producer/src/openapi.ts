import { contracts } from "@kafka-pair/shared/contracts";
import { ErrorCode } from "@kafka-pair/shared/errors";
import { toJsonSchema } from "@valibot/to-json-schema";

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

/** The producer's API, generated from the same contracts that validate requests. */
export function openApiDocument() {
  const paths: Record<string, unknown> = {};
  for (const contract of contracts) {
    const event = toJsonSchema(contract.schema, { errorMode: "ignore" });
    paths[`/topics/${contract.name}`] = {
      post: {
        summary: `Produce ${contract.eventType} events to ${contract.name}`,
        description: `${contract.description} Answered from Kafka's delivery report (acks=all, idempotent producer).`,
        parameters: [
          {
            name: "atomic",
            in: "query",
            schema: { type: "boolean" },
            description: "Produce a batch in one Kafka transaction",
          },
          {
            name: "Idempotency-Key",
            in: "header",
            schema: { type: "string", maxLength: 200 },
            description: "A retry with the same key returns the first answer and produces nothing",
          },
          {
            name: "traceparent",
            in: "header",
            schema: { type: "string" },
            description: "W3C trace context, copied to the record",
          },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { oneOf: [event, { type: "array", items: event }] } },
            "application/x-ndjson": { schema: { type: "string", description: "One event per line" } },
            "application/cloudevents+json": { schema: { type: "object", properties: { data: event } } },
            "application/cloudevents-batch+json": {
              schema: { type: "array", items: { type: "object", properties: { data: event } } },
            },
          },
        },
        responses: {
          "201": {
            description: "Stored (one event, or every event of a batch)",
            content: { "application/json": { schema: { oneOf: [stored, batchBody] } } },
          },
          "207": {
            description: "Batch: some events stored, some not",
            content: { "application/json": { schema: batchBody } },
          },
          "400": errorResponse("Malformed JSON or request parameters"),
          "401": errorResponse("Missing or wrong bearer token"),
          "404": errorResponse("No contract for this topic"),
          "409": errorResponse("Idempotency-Key reused with another body"),
          "413": errorResponse("Body or event too large"),
          "415": errorResponse("Unsupported content type"),
          "422": errorResponse("Event does not match the contract; issues name each failing field"),
          "502": errorResponse("Kafka refused the record or the transaction was aborted"),
          "503": errorResponse("Cluster unreachable, produce queue full, or shutting down; see Retry-After"),
          "504": errorResponse("Delivery timed out: the outcome is unknown, retry with the same Idempotency-Key"),
        },
      },
    };
  }
  paths["/kafka/health"] = {
    get: { summary: 'The tutorial\'s ping: sends "ok" to health', responses: { "200": { description: "Delivered" } } },
  };
  paths["/health"] = { get: { summary: "Liveness", responses: { "200": { description: "Up" } } } };
  paths["/ready"] = {
    get: {
      summary: "Readiness: connected to Kafka and not draining",
      responses: { "200": { description: "Ready" }, "503": { description: "Not ready" } },
    },
  };
  paths["/metrics"] = {
    get: { summary: "Prometheus metrics", responses: { "200": { description: "Text exposition format" } } },
  };
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
