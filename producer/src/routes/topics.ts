import { findContract, type TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import type { ProducerDeps, ProducerEnv } from "../app.ts";
import { requireToken } from "../auth.ts";
import { limitBody } from "../body-limit.ts";
import { type Answer, fingerprint } from "../idempotency.ts";
import { type Candidate, parseBody } from "../ingest/parse.ts";
import { type BuiltRecord, buildRecord, type RecordContext } from "../ingest/record.ts";
import { produceAtomic, produceOne, type Stored } from "../produce.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

type Result =
  | ({ index: number; status: number } & Stored)
  | { index: number; status: number; id?: string; error: unknown };

function errorResult(index: number, error: KafkaPairError, id?: string): Result {
  return { index, status: error.status, ...(id ? { id } : {}), error: error.toJSON().error };
}

/** A batch is 201 when all were stored, 207 when some, and the failures' own status when none. */
function batchStatus(results: Result[]): number {
  const failures = results.filter((r) => r.status >= 300);
  if (failures.length === 0) return 201;
  if (failures.length < results.length) return 207;
  const statuses = new Set(failures.map((r) => r.status));
  if (statuses.size === 1) return failures[0]?.status ?? 500;
  return failures.some((r) => r.status < 500) ? 422 : 503;
}

export function topicRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();

  function build(
    contract: TopicContract,
    items: Array<Candidate | KafkaPairError>,
    ctx: Omit<RecordContext, "id"> & { batch: boolean },
    key?: string,
  ) {
    const rejected = (error: KafkaPairError) => {
      deps.metrics.recordsFailed.inc({ topic: contract.name, code: error.code });
      return error;
    };
    return items.map((item, index): BuiltRecord | KafkaPairError => {
      if (item instanceof KafkaPairError) return rejected(item);
      // One key names one event; in a batch each record gets `<key>-<index>`.
      const id = key === undefined ? undefined : ctx.batch ? `${key}-${index}` : key;
      try {
        return buildRecord(contract, item, { ...ctx, id });
      } catch (err) {
        if (err instanceof KafkaPairError) return rejected(err);
        throw err;
      }
    });
  }

  async function produce(
    contract: TopicContract,
    built: Array<BuiltRecord | KafkaPairError>,
    batch: boolean,
    atomic: boolean,
  ): Promise<Answer> {
    if (!batch) {
      const only = built[0];
      if (!only) throw new KafkaPairError("INVALID_EVENT", "no event in the request");
      if (only instanceof KafkaPairError) throw only;
      try {
        return { status: 201, body: await produceOne(deps, contract, only) };
      } catch (err) {
        // Kafka's side failed: the answer names the event id, so a retry can reuse it.
        if (err instanceof KafkaPairError) return { status: err.status, body: { id: only.id, ...err.toJSON() } };
        throw err;
      }
    }
    if (built.length === 0) throw new KafkaPairError("INVALID_EVENT", "the batch is empty");

    if (atomic) {
      const invalid = built.some((b) => b instanceof KafkaPairError);
      if (invalid) {
        const notStored = new KafkaPairError("NOT_STORED", "not stored: the batch is atomic and another record failed");
        const results = built.map((b, i) =>
          b instanceof KafkaPairError ? errorResult(i, b) : errorResult(i, notStored, b.id),
        );
        const status = batchStatus(results.filter((r) => r.status !== 424));
        return { status, body: { topic: contract.name, atomic, stored: 0, failed: built.length, results } };
      }
      const records = built as BuiltRecord[];
      try {
        const stored = await produceAtomic(deps, contract, records);
        const results = stored.map((s, index) => ({ index, status: 201, ...s }));
        return { status: 201, body: { topic: contract.name, atomic, stored: results.length, failed: 0, results } };
      } catch (err) {
        const error = err instanceof KafkaPairError ? err : new KafkaPairError("TRANSACTION_ABORTED", String(err));
        const results = records.map((b, i) => errorResult(i, error, b.id));
        return {
          status: error.status,
          body: {
            topic: contract.name,
            atomic,
            stored: 0,
            failed: records.length,
            error: error.toJSON().error,
            results,
          },
        };
      }
    }

    const results = await Promise.all(
      built.map(async (b, index): Promise<Result> => {
        if (b instanceof KafkaPairError) return errorResult(index, b);
        try {
          return { index, status: 201, ...(await produceOne(deps, contract, b)) };
        } catch (err) {
          return errorResult(index, err as KafkaPairError, b.id);
        }
      }),
    );
    const storedCount = results.filter((r) => r.status === 201).length;
    return {
      status: batchStatus(results),
      body: { topic: contract.name, atomic, stored: storedCount, failed: results.length - storedCount, results },
    };
  }

  routes.post("/topics/:topic", requireToken(deps.apiToken), limitBody(deps.maxBodyBytes), async (c) => {
    // Checks run cheapest first, and nothing reaches Kafka until a record passed all of them.
    const contract = findContract(c.req.param("topic"));
    if (!contract) throw new KafkaPairError("TOPIC_NOT_FOUND", `no contract for topic "${c.req.param("topic")}"`);
    const atomicParam = c.req.query("atomic");
    if (atomicParam !== undefined && atomicParam !== "true" && atomicParam !== "false") {
      throw new KafkaPairError("INVALID_REQUEST", "atomic must be true or false");
    }
    const atomic = atomicParam === "true";
    const key = c.req.header("idempotency-key");
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new KafkaPairError("INVALID_REQUEST", "Idempotency-Key must be 1-200 visible ASCII characters");
    }
    if (deps.isDraining()) throw new KafkaPairError("SHUTTING_DOWN", "producer is shutting down");
    if (!deps.producer.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "no connection to the Kafka cluster");

    const headers = c.req.header();
    const text = await c.req.text();
    const work = async (): Promise<Answer> => {
      const parsed = parseBody(headers, text);
      const ctx = {
        namespace: deps.namespace,
        source: deps.eventSource,
        traceparent: headers.traceparent,
        now: new Date(),
        batch: parsed.batch,
      };
      return produce(contract, build(contract, parsed.items, ctx, key), parsed.batch, atomic);
    };
    const answer = key
      ? await deps.idempotency.run(
          contract.name,
          key,
          await fingerprint(headers["content-type"] ?? "", String(atomic), text),
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
