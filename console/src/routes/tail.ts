import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { fmtTime, layout } from "../pages/layout.ts";
import { tailPage } from "../pages/tail.ts";
import { type DecodedRecord, decodeRecord, topicRole } from "../records/decode.ts";

const DEFAULT_MAX_TAILS = 8;
const HEARTBEAT_MS = 15_000;
const PREVIEW_CHARS = 300;

/** A tailed record as the page's script renders it (client/dom.ts RecordSummary). */
export function summary(record: DecodedRecord) {
  const check =
    record.check.status === "invalid"
      ? { status: "invalid", contract: record.check.contract, issues: record.check.issues }
      : record.check;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    time: fmtTime(record.timestamp),
    key: record.key,
    check,
    value: record.value === null ? null : record.value.slice(0, PREVIEW_CHARS),
    type: record.cloudEvent?.type,
    headers: Object.keys(record.otherHeaders).length,
  };
}

/** The live tail: a page, and the server-sent events of one topic's new records (read_committed, no group). */
export function tailRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();
  const maxTails = deps.maxTails ?? DEFAULT_MAX_TAILS;
  let open = 0;

  const page = async (topic: string | undefined, writable: boolean) => {
    const names = (await deps.cluster.topics()).map((t) => t.name);
    const chosen = topic ?? names.find((n) => n === deps.namespace.topic("orders")) ?? names[0];
    if (chosen === undefined) throw new KafkaPairError("TOPIC_NOT_FOUND", "no topic to tail on this cluster");
    if (!names.includes(chosen)) throw new KafkaPairError("TOPIC_NOT_FOUND", `no topic "${chosen}" on this cluster`);
    return layout(`Live tail: ${chosen}`, tailPage(chosen, names), { writable, script: "tail" });
  };
  routes.get("/tail", async (c) => c.html(await page(c.req.query("topic") || undefined, c.get("writable"))));
  routes.get("/tail/:topic", async (c) => c.html(await page(c.req.param("topic"), c.get("writable"))));

  routes.get("/api/tail/:topic", async (c) => {
    const topic = c.req.param("topic");
    if (!(await deps.cluster.topic(topic)))
      throw new KafkaPairError("TOPIC_NOT_FOUND", `no topic "${topic}" on this cluster`);
    if (open >= maxTails) throw new KafkaPairError("KAFKA_UNAVAILABLE", `${maxTails} live tails are open already`);
    open++;
    const role = topicRole(deps.namespace, topic);
    return streamSSE(c, async (stream) => {
      let writes = Promise.resolve();
      const send = (event: string, data: string) => {
        writes = writes.then(() => stream.writeSSE({ event, data })).catch(() => {});
      };
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      try {
        const tail = await deps.cluster.tail(topic, (record) =>
          send("record", JSON.stringify(summary(decodeRecord(role, record)))),
        );
        send("ready", topic);
        const heartbeat = setInterval(() => send("ping", ""), HEARTBEAT_MS);
        await closed;
        clearInterval(heartbeat);
        await tail.close();
      } catch (err) {
        send("failure", (err as Error).message);
        await writes;
      } finally {
        open--;
      }
    });
  });

  return routes;
}
