import { findContract, startTrace, traceOf } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { authenticate, authenticatorOf, authorize, type Principal } from "../auth/index.ts";
import { limitBody } from "../body-limit.ts";
import type { ProducerDeps, ProducerEnv } from "../deps.ts";
import { type Answer, requestFingerprint } from "../idempotency.ts";
import { parseBody } from "../ingest/parse.ts";
import { planProduce } from "../plan.ts";
import { answerOf, execute } from "../produce.ts";
import { readProduceRequest } from "../request.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new KafkaPairError("MALFORMED_JSON", "body is not valid UTF-8");
  }
}

/** Keys are per principal and topic: one client's key never replays another client's answer. */
const idempotencyScope = (principal: Principal | undefined, topic: string) =>
  principal ? `${principal.id}\n${topic}` : topic;

export function topicRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();

  routes.post("/topics/:topic", authenticate(authenticatorOf(deps)), limitBody(deps.maxBodyBytes), async (c) => {
    // Checks run cheapest first, and nothing reaches Kafka until a record passed all of them.
    const contract = findContract(c.req.param("topic"));
    if (!contract) throw new KafkaPairError("TOPIC_NOT_FOUND", `no contract for topic "${c.req.param("topic")}"`);
    authorize(c.get("principal"), contract.name);
    // All headers at once (names lower-cased): one pass instead of a lookup per declared header.
    const headers = c.req.header();
    const request = readProduceRequest(c.req.url, (name) => headers[name.toLowerCase()]);
    if (deps.isDraining()) throw new KafkaPairError("SHUTTING_DOWN", "producer is shutting down");
    if (!deps.producer.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "no connection to the Kafka cluster");

    const text = decodeUtf8(await c.req.arrayBuffer());
    const work = async (): Promise<Answer> => {
      const plan = planProduce({
        contract,
        parsed: parseBody(headers, text),
        atomic: request.atomic,
        idempotencyKey: request.idempotencyKey,
        context: {
          namespace: deps.namespace,
          source: deps.eventSource,
          trace: traceOf(headers.traceparent, headers.tracestate),
          newTrace: startTrace(),
          time: new Date().toISOString(),
          principal: c.get("principal"),
        },
      });
      return answerOf(contract, await execute(deps, contract, plan));
    };
    const key = request.idempotencyKey;
    const answer = key
      ? await deps.idempotency.run(
          idempotencyScope(c.get("principal"), contract.name),
          key,
          await requestFingerprint(headers, request.atomic, text),
          work,
        )
      : { ...(await work()), replayed: false };
    if (key) c.header("Idempotent-Replayed", String(answer.replayed));
    const status = answer.status as 201;
    if (status >= 500) c.header("Retry-After", "1");
    return c.json(answer.body as object, status);
  });

  return routes;
}
