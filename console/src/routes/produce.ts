import { contracts, findContract, type TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { writeGuard } from "../guard/guard.ts";
import { layout } from "../pages/layout.ts";
import { producePage, producePickPage } from "../pages/produce.ts";

const MAX_BODY_CHARS = 1024 * 1024;

/** A starting point for the form: a valid event of the contract. */
export function exampleOf(contract: TopicContract, now = new Date(), id = crypto.randomUUID()): string {
  if (contract.name === "orders") {
    const order = {
      orderId: id,
      customerId: "c-42",
      currency: "EUR",
      lines: [{ sku: "BOOK-1", quantity: 2, unitPriceCents: 1299 }],
      placedAt: now.toISOString(),
    };
    return JSON.stringify(order, null, 2);
  }
  if (contract.name === "health") return JSON.stringify("ok");
  return "{}";
}

/** The produce forms, and the route that forwards an event to the producer edge. */
export function produceRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();

  routes.get("/produce", (c) => c.html(layout("Produce", producePickPage(contracts), { writable: c.get("writable") })));

  routes.get("/produce/:topic", (c) => {
    const contract = findContract(c.req.param("topic"));
    if (!contract) throw new KafkaPairError("TOPIC_NOT_FOUND", `no contract for topic "${c.req.param("topic")}"`);
    const page = producePage({
      contract,
      example: exampleOf(contract),
      producerUrl: deps.producerUrl,
      writable: c.get("writable"),
      needsToken: !deps.guard.loopback,
    });
    return c.html(layout(`Produce to ${contract.name}`, page, { writable: c.get("writable"), script: "produce" }));
  });

  // The edge checks the event again (the page's check is for the user) and answers from Kafka's
  // delivery report; its status and body come back unchanged.
  routes.post("/api/produce/:topic", writeGuard(deps.guard), async (c) => {
    const contract = findContract(c.req.param("topic"));
    if (!contract) throw new KafkaPairError("TOPIC_NOT_FOUND", `no contract for topic "${c.req.param("topic")}"`);
    const body = await c.req.text();
    if (body.length > MAX_BODY_CHARS) throw new KafkaPairError("PAYLOAD_TOO_LARGE", "at most 1 MiB per event here");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (deps.guard.apiToken) headers.authorization = `Bearer ${deps.guard.apiToken}`;
    const url = `${deps.producerUrl.replace(/\/$/, "")}/topics/${encodeURIComponent(contract.name)}`;
    const answer = await deps.fetchEdge(url, { method: "POST", headers, body }).catch((err: Error) => {
      throw new KafkaPairError(
        "KAFKA_UNAVAILABLE",
        `the producer edge at ${deps.producerUrl} did not answer: ${err.message}`,
      );
    });
    const text = await answer.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: { code: "INTERNAL", message: `the producer edge answered ${answer.status} without JSON` } };
    }
    return c.json(json as object, answer.status as 201);
  });

  return routes;
}
