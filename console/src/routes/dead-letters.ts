import { replayLetter } from "@kafka-pair/consumer/replay-letter";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { type Context, Hono } from "hono";
import { html } from "hono/html";
import * as v from "valibot";
import type { StoredRecord, TopicInfo } from "../cluster/types.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { writeGuard } from "../guard/guard.ts";
import {
  type DeadLetterTopicRow,
  deadLettersPage,
  deadLetterTopicsPage,
  type LetterFilter,
} from "../pages/dead-letters.ts";
import { layout, scopeNote } from "../pages/layout.ts";
import { decodeRecord, type TopicRole, topicRole } from "../records/decode.ts";
import { nonEmpty, scopeOf } from "./query.ts";

/** Letters read per partition for the page and for "replay all shown": the newest ones. */
export const LETTER_SCAN = 200;
/** Most letters one replay request may name. */
const MAX_REPLAY = 1_000;

const ReplayRequest = v.pipe(
  v.strictObject({
    confirm: v.literal(true, "a replay must be confirmed: send confirm: true"),
    letters: v.optional(
      v.pipe(
        v.array(
          v.strictObject({
            partition: v.pipe(v.number(), v.integer(), v.minValue(0)),
            offset: v.pipe(v.string(), v.regex(/^\d{1,19}$/, "must be an offset")),
          }),
        ),
        v.minLength(1),
        v.maxLength(MAX_REPLAY),
      ),
    ),
    filter: v.optional(
      v.strictObject({
        reason: v.optional(v.picklist(["handler-failed", "contract-violation"])),
        text: v.optional(v.pipe(v.string(), v.maxLength(200))),
      }),
    ),
  }),
  v.check((r) => (r.letters === undefined) !== (r.filter === undefined), "name either letters or a filter"),
);

const text = new TextDecoder();

/** A stored letter as the consumer runtime sees a message: what replayLetter takes. */
function asConsumed(record: StoredRecord): ConsumedMessage {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === null ? null : text.decode(record.key),
    value: record.value,
    headers: record.headers,
    timestamp: record.timestamp,
  };
}

const matches = (filter: LetterFilter) => (r: StoredRecord) =>
  (filter.reason === undefined || r.headers.dlq_reason === filter.reason) &&
  (filter.text === undefined || (r.headers.dlq_error ?? "").toLowerCase().includes(filter.text.toLowerCase()));

const newestFirst = (a: StoredRecord, b: StoredRecord) =>
  b.timestamp - a.timestamp || a.partition - b.partition || Number(BigInt(b.offset) - BigInt(a.offset));

/** The source topic of a dead-letter topic, or 404 when the topic is not one. */
function sourceOf(role: TopicRole, name: string): string {
  if (role.kind === "dead-letter") return role.source;
  if (role.kind === "other" && role.deadLetter && role.source) return role.source;
  throw new KafkaPairError("NOT_FOUND", `"${name}" is not a dead-letter topic (<topic>.dlq)`);
}

/** Dead letters: every `.dlq` topic, one topic's letters with reason, error, attempts and origin, and replay. */
export function deadLetterRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();
  const ns = deps.namespace;

  const letterTopic = async (name: string): Promise<{ info: TopicInfo; source: string }> => {
    const source = sourceOf(topicRole(ns, name), name);
    const info = await deps.cluster.topic(name);
    if (!info) throw new KafkaPairError("TOPIC_NOT_FOUND", `no topic "${name}" on this cluster`);
    return { info, source };
  };

  /** The newest LETTER_SCAN letters of each partition that pass the filter, newest first. */
  const recentLetters = async (info: TopicInfo, filter: LetterFilter) => {
    const letters: StoredRecord[] = [];
    for (const p of info.partitions) {
      const to = BigInt(p.high);
      const low = BigInt(p.low);
      const from = to - BigInt(LETTER_SCAN) > low ? to - BigInt(LETTER_SCAN) : low;
      letters.push(...(await deps.cluster.read({ topic: info.name, partition: p.partition, from, to })));
    }
    return letters.filter(matches(filter)).sort(newestFirst);
  };

  routes.get("/dead-letters", async (c) => {
    const scope = scopeOf(ns.prefix, c.req.query("all"));
    const rows: DeadLetterTopicRow[] = [];
    for (const info of (await deps.cluster.topics()).filter((t) => scope.keep(t.name))) {
      const role = topicRole(ns, info.name);
      if (role.kind === "contract" || (role.kind === "other" && !role.deadLetter)) continue;
      const letters = info.partitions.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);
      rows.push({ topic: info.name, source: sourceOf(role, info.name), letters });
    }
    const body = html`${scopeNote(ns.prefix, scope.all, "/dead-letters")}${deadLetterTopicsPage(rows)}`;
    return c.html(layout("Dead letters", body, { writable: c.get("writable") }));
  });

  routes.get("/dead-letters/:topic", async (c) => {
    const name = c.req.param("topic");
    const { info, source } = await letterTopic(name);
    const filter = { reason: nonEmpty(c.req.query("reason")), text: nonEmpty(c.req.query("text")) };
    const letters = (await recentLetters(info, filter)).map((r) => decodeRecord(topicRole(ns, name), r));
    const page = deadLettersPage({
      topic: name,
      source,
      letters,
      filter,
      scanned: LETTER_SCAN,
      writable: c.get("writable"),
    });
    return c.html(layout(`Dead letters: ${name}`, page, { writable: c.get("writable"), script: "dead-letters" }));
  });

  routes.post("/api/dead-letters/:topic/replay", writeGuard(deps.guard), async (c: Context<ConsoleEnv>) => {
    const name = c.req.param("topic") as string;
    const { info, source } = await letterTopic(name);
    const body: unknown = await c.req.json().catch(() => {
      throw new KafkaPairError("MALFORMED_JSON", "body is not JSON");
    });
    const parsed = v.safeParse(ReplayRequest, body);
    if (!parsed.success) {
      throw new KafkaPairError("INVALID_REQUEST", "not a replay request", {
        issues: parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message })),
      });
    }
    const request = parsed.output;
    let letters: StoredRecord[];
    if (request.letters) {
      letters = [];
      for (const at of request.letters) {
        if (at.partition >= info.partitions.length) {
          throw new KafkaPairError("NOT_FOUND", `${name} has no partition ${at.partition}`);
        }
        const offset = BigInt(at.offset);
        const [letter] = await deps.cluster.read({
          topic: name,
          partition: at.partition,
          from: offset,
          to: offset + 1n,
        });
        if (!letter || letter.offset !== at.offset) {
          throw new KafkaPairError("NOT_FOUND", `no letter at ${name}/${at.partition}/${at.offset}`);
        }
        letters.push(letter);
      }
    } else {
      letters = (await recentLetters(info, { reason: request.filter?.reason, text: request.filter?.text })).reverse();
    }
    const producer = await deps.replayProducer();
    const by = deps.remoteAddress?.(c) ?? "unknown";
    const replayed = [];
    // One at a time, oldest first: the source topic gets them back in the order they failed.
    for (const letter of letters) {
      const report = await replayLetter(producer, asConsumed(letter), source, deps.logger, { via: "console", by });
      replayed.push({ from: { partition: letter.partition, offset: letter.offset }, to: report });
    }
    return c.json({ topic: name, source, replayed });
  });

  return routes;
}
