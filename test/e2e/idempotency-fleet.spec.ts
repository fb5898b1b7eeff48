import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { readTopic } from "../helpers/records.ts";
import { useValkey } from "../helpers/valkey.ts";
import { startWorker } from "../helpers/workers.ts";

// Two producer instances sharing one Valkey/Redis store (IDEMPOTENCY_STORE), as behind a load
// balancer: a client's retry that lands on the other instance must not produce a second record.
describe("Idempotency-Key across producer instances", () => {
  const ns = useNamespace();

  it("a retry with the same key on another instance replays the first answer; concurrent duplicates produce once; a store that is down is a 503", {
    timeout: 180_000,
  }, async () => {
    const valkey = await useValkey();
    const env = { KAFKA_NAMESPACE: ns.prefix, IDEMPOTENCY_STORE: valkey.url };
    const [a, b] = await Promise.all([startWorker("producer", env), startWorker("producer", env)]);
    const admin = await useAdmin();
    const topic = ns.topic("orders");

    // Sequential: A stores it, the retry goes to B.
    const key = randomUUID();
    const order = anOrder();
    const first = await postJson(a.url, "/topics/orders", order, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    const retry = await postJson(b.url, "/topics/orders", order, { "idempotency-key": key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await readJson(retry)).toEqual(await readJson(first));
    // The same key with another body on the other instance: refused.
    const reused = await postJson(b.url, "/topics/orders", anOrder(), { "idempotency-key": key });
    expect(reused.status).toBe(409);

    // Concurrent: the same request to both instances at once, five times over.
    const concurrentKeys = Array.from({ length: 5 }, () => randomUUID());
    for (const k of concurrentKeys) {
      const body = anOrder();
      const answers = await Promise.all(
        [a, b, a, b].map((w) => postJson(w.url, "/topics/orders", body, { "idempotency-key": k })),
      );
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      const bodies = await Promise.all(answers.map(readJson));
      expect(new Set(bodies.map((x) => JSON.stringify(x))).size).toBe(1);
      expect(answers.filter((r) => r.headers.get("idempotent-replayed") === "false")).toHaveLength(1);
    }

    // Exactly one record per key in Kafka, by event id (the key).
    expect(await totalEndOffset(admin, topic)).toBe(6n);
    const records = await readTopic(topic, { isolation: "read_committed", until: (r) => r.length >= 6 });
    expect(records.map((r) => r.headers.ce_id).sort()).toEqual([key, ...concurrentKeys].sort());

    // The store goes away: requests with a key get a retriable 503 and produce nothing; without a key, 201.
    await valkey.stop();
    const down = await postJson(a.url, "/topics/orders", anOrder(), { "idempotency-key": randomUUID() });
    expect(down.status).toBe(503);
    expect((await readJson(down)).error.code).toBe("IDEMPOTENCY_UNAVAILABLE");
    expect(down.headers.get("retry-after")).toBe("1");
    expect((await postJson(a.url, "/topics/orders", anOrder())).status).toBe(201);
    expect(await totalEndOffset(admin, topic)).toBe(7n);

    // And comes back: the client reconnects by itself.
    await valkey.start();
    const back = randomUUID();
    const again = anOrder();
    await expect
      .poll(async () => (await postJson(a.url, "/topics/orders", again, { "idempotency-key": back })).status, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(201);
    expect(
      (await postJson(b.url, "/topics/orders", again, { "idempotency-key": back })).headers.get("idempotent-replayed"),
    ).toBe("true");
  });
});
