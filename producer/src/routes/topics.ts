import { findContract, parseEvent } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ProducerDeps, ProducerEnv } from "../app.ts";
import { publish } from "../publish.ts";

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json" || (mediaType?.endsWith("+json") ?? false);
}

export function topicRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();

  routes.post(
    "/topics/:topic",
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new KafkaPairError("PAYLOAD_TOO_LARGE", `request body is larger than ${deps.maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      // Checks run cheapest first, and nothing reaches Kafka until all of them passed.
      const contract = findContract(c.req.param("topic"));
      if (!contract) {
        throw new KafkaPairError("TOPIC_NOT_FOUND", `no contract for topic "${c.req.param("topic")}"`);
      }
      if (!isJson(c.req.header("content-type"))) {
        throw new KafkaPairError("UNSUPPORTED_MEDIA_TYPE", "send the event as application/json");
      }
      if (deps.isDraining()) throw new KafkaPairError("SHUTTING_DOWN", "producer is shutting down");
      const text = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new KafkaPairError("MALFORMED_JSON", `request body is not valid JSON: ${(cause as Error).message}`);
      }
      const event = parseEvent(contract, body);
      const report = await publish(deps, contract, event);
      c.get("logger").info({ ...report }, "produced");
      return c.json(report, 201);
    },
  );

  return routes;
}
