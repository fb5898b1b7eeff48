import { describe, expect, it } from "vitest";
import { anOrder, consoleKit, encoder, NS, postJson } from "./test-kit.ts";

const ORDERS = NS.topic("orders");
const DLQ = NS.topic("orders.dlq");
const html = async (res: Response) => {
  expect(res.headers.get("content-type")).toMatch(/text\/html/);
  return res.text();
};

interface Replayed {
  replayed: Array<{ from: { partition: number; offset: string }; to: { partition: number; offset: string } }>;
}

const XSS = {
  key: `<script>window.pwned=1</script>`,
  value: `<img src=x onerror="window.pwned=2"><b>bold</b>`,
  header: `"><svg onload=window.pwned=3>`,
};

describe("console pages", () => {
  it("serves health, and readiness from the brokers", async () => {
    const { app } = consoleKit();
    expect(await (await app.request("/health")).json()).toEqual({ status: "ok" });
    expect(await (await app.request("/ready")).json()).toEqual({ status: "ready", brokers: 3, reachable: 2 });
  });

  it("shows brokers with their reachability and topics with their contract", async () => {
    const { app, cluster } = consoleKit();
    cluster.append({ topic: ORDERS, key: "a", value: encoder.encode("{}"), headers: {} });
    const page = await html(await app.request("/"));
    expect(page).toMatch(/<td>3<\/td><td>127\.0\.0\.1<\/td><td>9094<\/td>\s*<td><span class="badge bad">no<\/span>/);
    expect(page).toContain('data-topic="t.orders"');
    expect(page).toMatch(/t\.orders<\/a><\/td>\s*<td><span class="badge ok"[^>]*>contract orders/);
    expect(page).toMatch(/t\.orders\.dlq<\/a><\/td>\s*<td><span class="badge dlq">dead letters of orders/);
  });

  it("lists the namespace's topics, groups and dead-letter topics, and the whole cluster on request", async () => {
    const { app, cluster } = consoleKit();
    cluster.createTopic("other.orders", 1);
    cluster.createTopic("other.orders.dlq", 1);
    cluster.setGroup("other.group", "Empty");
    cluster.setGroup("t.orders_group", "Empty");
    const scoped = await Promise.all(["/", "/groups", "/dead-letters"].map(async (p) => (await app.request(p)).text()));
    for (const page of scoped) {
      expect(page).toContain("Namespace <code>t.</code> only");
      expect(page).not.toMatch(/data-(topic|group)="other\./);
    }
    expect(scoped[1]).toContain('data-group="t.orders_group"');
    const all = await Promise.all(
      ["/?all=1", "/groups?all=1", "/dead-letters?all=1"].map(async (p) => (await app.request(p)).text()),
    );
    expect(all[0]).toContain('data-topic="other.orders"');
    expect(all[1]).toContain('data-group="other.group"');
    expect(all[2]).toContain('data-topic="other.orders.dlq"');
  });

  it("lists a topic's events newest first, each checked against its contract", async () => {
    const { app, cluster } = consoleKit();
    cluster.append({
      topic: ORDERS,
      key: "k1",
      value: encoder.encode(JSON.stringify(anOrder())),
      headers: {},
      partition: 0,
    });
    cluster.append({ topic: ORDERS, key: "k2", value: encoder.encode('{"orderId":1}'), headers: {}, partition: 1 });
    const page = await html(await app.request(`/topics/${ORDERS}`));
    const rows = [...page.matchAll(/<tr class="record" data-partition="(\d)" data-offset="(\d+)">/g)].map((m) => m[1]);
    expect(rows).toEqual(["1", "0"]);
    expect(page).toContain("✔ orders");
    expect(page).toContain("✘ orders");
    expect(page).toContain("<code>orderId</code>: Invalid type: Expected string but received 1");
  });

  it("pages one partition by offset, reads from a time, and searches a key in a bounded range", async () => {
    const { app, cluster } = consoleKit();
    for (let i = 0; i < 10; i++) {
      cluster.append({ topic: ORDERS, key: `k${i % 3}`, value: encoder.encode(`${i}`), headers: {}, partition: 0 });
    }
    const offsets = (page: string) => [...page.matchAll(/data-offset="(\d+)"/g)].map((m) => Number(m[1]));
    const paged = await html(await app.request(`/topics/${ORDERS}?partition=0&offset=6&limit=3`));
    expect(offsets(paged)).toEqual([6, 5, 4]);
    expect(paged).toContain(`href="/topics/t.orders?partition=0&offset=3&limit=3"`);
    const since = await html(
      await app.request(`/topics/${ORDERS}?since=${encodeURIComponent("2026-12-01T10:00:08Z")}&limit=2`),
    );
    expect(offsets(since)).toEqual([8, 7]);
    const byKey = await html(await app.request(`/topics/${ORDERS}?key=k1&scan=5`));
    expect(offsets(byKey)).toEqual([7]);
    expect(byKey).toContain("p0 [5, 10)");
  });

  it("answers a bad query with 400 naming the parameter, and an unknown topic with 404", async () => {
    const { app } = consoleKit();
    const bad = await app.request(`/topics/${ORDERS}?limit=0`, { headers: { accept: "application/json" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "INVALID_REQUEST", issues: [{ path: "limit" }] } });
    expect((await app.request(`/topics/${ORDERS}?since=yesterday`)).status).toBe(400);
    const missing = await app.request("/topics/nope");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("TOPIC_NOT_FOUND");
  });

  it("lays out one event: CloudEvents attributes, trace context, other headers, raw bytes on request", async () => {
    const { app, cluster } = consoleKit();
    cluster.append({
      topic: ORDERS,
      key: "k",
      value: encoder.encode(JSON.stringify(anOrder())),
      partition: 2,
      headers: {
        ce_id: "evt-1",
        ce_source: "/shop",
        ce_type: "dev.kafka-pair.order.placed",
        ce_specversion: "1.0",
        "content-type": "application/json",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "x-custom": "v",
      },
    });
    const page = await html(await app.request(`/topics/${ORDERS}/records/2/0`));
    expect(page).toMatch(/<caption>CloudEvents<\/caption>.*<th>id<\/th><td><code>evt-1<\/code>/s);
    expect(page).toMatch(/<th>trace id<\/th><td><code>4bf92f3577b34da6a3ce929d0e0e4736<\/code>/);
    expect(page).toMatch(/<caption>Other headers<\/caption>.*x-custom/s);
    expect(page).not.toContain("6b 22"); // no hex until asked
    const raw = await html(await app.request(`/topics/${ORDERS}/records/2/0?raw=1`));
    expect(raw).toContain("7b 22 6f 72"); // {"or
    expect((await app.request(`/topics/${ORDERS}/records/2/5`)).status).toBe(404);
  });

  it("renders markup from a key, a value and a header as text on every page", async () => {
    const { app, cluster } = consoleKit();
    const headers = {
      "x-evil": XSS.header,
      dlq_reason: "handler-failed",
      dlq_error: XSS.value,
      dlq_original_topic: XSS.header,
    };
    const stored = cluster.append({ topic: ORDERS, key: XSS.key, value: encoder.encode(XSS.value), headers });
    cluster.append({ topic: DLQ, key: XSS.key, value: encoder.encode(XSS.value), headers });
    const pages = [
      `/topics/${ORDERS}`,
      `/topics/${ORDERS}/records/${stored.partition}/${stored.offset}`,
      `/topics/${ORDERS}?key=${encodeURIComponent(XSS.key)}`,
      `/dead-letters/${DLQ}`,
      `/topics/${encodeURIComponent(XSS.key)}`,
    ];
    for (const path of pages) {
      const page = await (await app.request(path)).text();
      expect(page, path).not.toContain("<script>window");
      expect(page, path).not.toContain("<img src=x");
      expect(page, path).not.toContain("<svg onload");
      expect(page, path).not.toContain("<b>bold");
    }
    const topicPage = await (await app.request(`/topics/${ORDERS}`)).text();
    expect(topicPage).toContain("&lt;script&gt;window.pwned=1&lt;/script&gt;");
    const record = await (await app.request(pages[1] as string)).text();
    expect(record).toContain("&quot;&gt;&lt;svg onload=window.pwned=3&gt;");
    // Scripts only from this origin: even markup that got through could not run inline.
    const csp = (await app.request("/")).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
  });
});

describe("console groups", () => {
  it("shows members, committed offsets and lag per partition, and the total in the list", async () => {
    const { app, cluster } = consoleKit();
    for (let i = 0; i < 5; i++)
      cluster.append({ topic: ORDERS, key: "k", value: encoder.encode("{}"), headers: {}, partition: 0 });
    cluster.append({ topic: ORDERS, key: "k", value: encoder.encode("{}"), headers: {}, partition: 1 });
    cluster.setGroup("t.orders_group", "Stable", [
      {
        memberId: "m-1",
        clientId: "kafka-pair-consumer",
        clientHost: "/127.0.0.1",
        assignment: [{ topic: ORDERS, partition: 0 }],
      },
    ]);
    cluster.commit("t.orders_group", ORDERS, 0, 3n);
    const list = await html(await app.request("/groups"));
    expect(list).toMatch(
      /data-group="t\.orders_group">[\s\S]*?<td>Stable<\/td><td>consumer<\/td><td>1<\/td>\s*<td class="lag">3<\/td>/,
    );
    const page = await html(await app.request("/groups/t.orders_group"));
    expect(page).toMatch(
      /data-partition="0">[\s\S]*?<td>3<\/td><td>5<\/td>\s*<td class="lag">2<\/td><td>kafka-pair-consumer<\/td>/,
    );
    expect(page).toMatch(/data-partition="1">[\s\S]*?<td>none<\/td><td>1<\/td>\s*<td class="lag">1<\/td>/);
    expect(page).toContain('id="total-lag">3<');
    expect((await app.request("/groups/nobody")).status).toBe(404);
  });

  it("samples lag and throughput per group for the chart", async () => {
    let now = 1_000_000;
    const kit = consoleKit();
    const { LagSampler } = await import("./groups/sampler.ts");
    const sampler = new LagSampler(
      kit.cluster,
      (await import("@kafka-pair/shared/runtime")).createLogger("t", "silent"),
      () => now,
    );
    for (let i = 0; i < 10; i++)
      kit.cluster.append({ topic: ORDERS, key: "k", value: encoder.encode("{}"), headers: {}, partition: 0 });
    kit.cluster.commit("g", ORDERS, 0, 2n);
    await sampler.sample();
    now += 2_000;
    kit.cluster.commit("g", ORDERS, 0, 10n);
    await sampler.sample();
    expect(sampler.series("g")).toEqual([
      { at: 1_000_000, lag: 8, rate: 0, source: "kafka" },
      { at: 1_002_000, lag: 0, rate: 4, source: "kafka" },
    ]);
  });

  it("takes throughput from the consumer worker's processed counter while it answers", async () => {
    let now = 1_000_000;
    let processed: number | undefined = 100;
    const kit = consoleKit();
    const { LagSampler } = await import("./groups/sampler.ts");
    const { createLogger } = await import("@kafka-pair/shared/runtime");
    const counts = async () => (processed === undefined ? undefined : new Map([["g", processed]]));
    const sampler = new LagSampler(kit.cluster, createLogger("t", "silent"), () => now, counts);
    kit.cluster.append({ topic: ORDERS, key: "k", value: encoder.encode("{}"), headers: {}, partition: 0 });
    kit.cluster.commit("g", ORDERS, 0, 1n);
    await sampler.sample();
    now += 1_000;
    processed = 130;
    await sampler.sample();
    now += 1_000;
    processed = undefined;
    await sampler.sample();
    expect(sampler.series("g").map((s) => [s.rate, s.source])).toEqual([
      [0, "consumer"],
      [30, "consumer"],
      [0, "kafka"],
    ]);
  });
});

describe("console dead letters", () => {
  const letter = (reason: string, error: string, originOffset: number) => ({
    topic: DLQ,
    key: `order-${originOffset}`,
    value: encoder.encode(JSON.stringify(anOrder())),
    partition: 0,
    headers: {
      ce_type: "dev.kafka-pair.order.placed",
      dlq_reason: reason,
      dlq_error: error,
      dlq_attempts: "4",
      dlq_original_topic: ORDERS,
      dlq_original_partition: "1",
      dlq_original_offset: String(originOffset),
      dlq_consumer_group: "t.orders_group",
    },
  });

  it("lists every dead-letter topic and each letter's reason, error, attempts and origin", async () => {
    const { app, cluster } = consoleKit();
    cluster.append(letter("handler-failed", "Error: payment service down", 7));
    const topics = await html(await app.request("/dead-letters"));
    expect(topics).toMatch(/data-topic="t\.orders\.dlq">[\s\S]*?t\.orders<\/a><\/td><td>1<\/td>/);
    expect(topics).toContain('data-topic="t.health.dlq"');
    expect(topics).not.toContain('data-topic="t.orders"');
    const page = await html(await app.request(`/dead-letters/${DLQ}`));
    expect(page).toContain("handler-failed");
    expect(page).toContain("Error: payment service down");
    expect(page).toMatch(/<td>4<\/td>\s*<td><code>t\.orders\/1\/7<\/code>/);
    expect((await app.request(`/dead-letters/${ORDERS}`)).status).toBe(404);
  });

  it("filters letters by reason and error text", async () => {
    const { app, cluster } = consoleKit();
    cluster.append(letter("handler-failed", "Error: payment service down", 1));
    cluster.append(letter("contract-violation", "event does not match", 2));
    const page = await html(await app.request(`/dead-letters/${DLQ}?reason=contract-violation`));
    expect([...page.matchAll(/class="letter"/g)]).toHaveLength(1);
    expect(page).toContain("t.orders/1/2");
    const byText = await html(await app.request(`/dead-letters/${DLQ}?text=PAYMENT`));
    expect(byText).toContain("t.orders/1/1");
    expect(byText).not.toContain("t.orders/1/2");
  });

  it("replays one letter to its topic as first written, with an audit line", async () => {
    const { app, cluster, logs } = consoleKit({ remoteAddress: () => "127.0.0.1" });
    cluster.append(letter("handler-failed", "boom", 7));
    const res = await app.request(
      postJson(`/api/dead-letters/${DLQ}/replay`, { confirm: true, letters: [{ partition: 0, offset: "0" }] }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Replayed;
    expect(body).toMatchObject({ topic: DLQ, source: ORDERS, replayed: [{ from: { partition: 0, offset: "0" } }] });
    const to = body.replayed[0]?.to ?? { partition: -1, offset: "-1" };
    const [replayed] = await cluster.read({
      topic: ORDERS,
      partition: to.partition,
      from: BigInt(to.offset),
      to: BigInt(to.offset) + 1n,
    });
    expect(replayed?.headers).toEqual({ ce_type: "dev.kafka-pair.order.placed", replayed_from: `${DLQ}/0/0` });
    expect(new TextDecoder().decode(replayed?.key ?? new Uint8Array())).toBe("order-7");
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: "replayed", from: `${DLQ}/0/0`, via: "console", by: "127.0.0.1" }),
    );
  });

  it("replays every letter matching a filter, oldest first", async () => {
    const { app, cluster } = consoleKit();
    cluster.append(letter("handler-failed", "a", 1));
    cluster.append(letter("contract-violation", "b", 2));
    cluster.append(letter("handler-failed", "c", 3));
    const res = await app.request(
      postJson(`/api/dead-letters/${DLQ}/replay`, { confirm: true, filter: { reason: "handler-failed" } }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Replayed;
    expect(body.replayed.map((r) => r.from.offset)).toEqual(["0", "2"]);
  });

  it("refuses a replay that is not confirmed, names nothing, or names a missing letter", async () => {
    const { app, cluster } = consoleKit();
    cluster.append(letter("handler-failed", "a", 1));
    const unconfirmed = await app.request(
      postJson(`/api/dead-letters/${DLQ}/replay`, { letters: [{ partition: 0, offset: "0" }] }),
    );
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.json()).toMatchObject({
      error: { code: "INVALID_REQUEST", issues: [{ path: "confirm" }] },
    });
    expect((await app.request(postJson(`/api/dead-letters/${DLQ}/replay`, { confirm: true }))).status).toBe(400);
    const missing = await app.request(
      postJson(`/api/dead-letters/${DLQ}/replay`, { confirm: true, letters: [{ partition: 0, offset: "9" }] }),
    );
    expect(missing.status).toBe(404);
    expect((await cluster.topic(ORDERS))?.partitions.every((p) => p.high === "0")).toBe(true);
  });
});

describe("console changes to the cluster", () => {
  const replay = { confirm: true, letters: [{ partition: 0, offset: "0" }] };
  const seeded = (overrides: Parameters<typeof consoleKit>[0]) => {
    const kit = consoleKit(overrides);
    kit.cluster.append({
      topic: DLQ,
      key: "k",
      value: encoder.encode("{}"),
      headers: { dlq_reason: "handler-failed" },
      partition: 0,
    });
    return kit;
  };

  it("is read-only beyond loopback without a token: no forms, and 403 on replay and produce", async () => {
    const { app } = seeded({ guard: { loopback: false, apiToken: undefined } });
    expect(await (await app.request("/")).text()).toContain(">read-only<");
    expect(await (await app.request("/produce/orders")).text()).toContain("Read-only console");
    const res = await app.request(postJson(`/api/dead-letters/${DLQ}/replay`, replay));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect((await app.request(postJson("/api/produce/orders", anOrder()))).status).toBe(403);
  });

  it("needs the producer's token beyond loopback when one is configured", async () => {
    const token = "s3cret-token-of-16+";
    const { app } = seeded({ guard: { loopback: false, apiToken: token } });
    expect((await app.request(postJson(`/api/dead-letters/${DLQ}/replay`, replay))).status).toBe(401);
    const wrong = { authorization: "Bearer wrong-token-xxxxxxxx" };
    expect((await app.request(postJson(`/api/dead-letters/${DLQ}/replay`, replay, wrong))).status).toBe(401);
    const right = { authorization: `Bearer ${token}` };
    expect((await app.request(postJson(`/api/dead-letters/${DLQ}/replay`, replay, right))).status).toBe(200);
  });

  it("refuses changes from another origin, without JSON, or under a non-loopback host name", async () => {
    const { app } = seeded({});
    const foreign = await app.request(
      postJson(`/api/dead-letters/${DLQ}/replay`, replay, { origin: "https://evil.example" }),
    );
    expect(foreign.status).toBe(403);
    const form = await app.request(
      new Request(`http://127.0.0.1:8989/api/dead-letters/${DLQ}/replay`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "confirm=true",
      }),
    );
    expect(form.status).toBe(415);
    const rebound = await app.request(
      new Request(`http://rebound.example:8989/api/dead-letters/${DLQ}/replay`, {
        method: "POST",
        headers: { "content-type": "application/json", host: "rebound.example:8989" },
        body: JSON.stringify(replay),
      }),
    );
    expect(rebound.status).toBe(403);
  });
});

describe("console produce", () => {
  it("offers a form per contract, with a valid example", async () => {
    const { app } = consoleKit();
    const list = await html(await app.request("/produce"));
    expect(list).toContain('href="/produce/orders"');
    expect(list).toContain('href="/produce/health"');
    const page = await html(await app.request("/produce/orders"));
    expect(page).toContain('<form id="produce" data-topic="orders">');
    expect(page).toContain('<script type="module" src="/assets/produce.js"></script>');
    expect((await app.request("/produce/nope")).status).toBe(404);
  });

  it("posts through the producer edge with its token and answers with the edge's status and body", async () => {
    const { app, edgeCalls } = consoleKit({ guard: { loopback: true, apiToken: "edge-token-0123456789" } });
    const res = await app.request(postJson("/api/produce/orders", anOrder()));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ topic: "orders", partition: 1, offset: "7" });
    expect(edgeCalls[0]?.url).toBe("http://127.0.0.1:3000/topics/orders");
    expect(edgeCalls[0]?.init.headers).toMatchObject({ authorization: "Bearer edge-token-0123456789" });
    expect(JSON.parse(String(edgeCalls[0]?.init.body))).toEqual(anOrder());
  });

  it("passes the edge's refusal through, and says so when the edge does not answer", async () => {
    const refusing = consoleKit({
      fetchEdge: async () => Response.json({ error: { code: "INVALID_EVENT" } }, { status: 422 }),
    });
    const refused = await refusing.app.request(postJson("/api/produce/orders", { orderId: 1 }));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ error: { code: "INVALID_EVENT" } });
    const down = consoleKit({
      fetchEdge: async () => {
        throw new TypeError("fetch failed");
      },
    });
    const res = await down.app.request(postJson("/api/produce/orders", anOrder()));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "http://127.0.0.1:3000 did not answer",
    );
  });
});

describe("console live tail", () => {
  it("streams new records as server-sent events and lets go of the tail when the client leaves", async () => {
    const { app, cluster } = consoleKit();
    cluster.append({ topic: ORDERS, key: "before", value: encoder.encode("{}"), headers: {} });
    const abort = new AbortController();
    const res = await app.request(`/api/tail/${ORDERS}`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value);
      }
    };
    await until("event: ready");
    cluster.append({ topic: ORDERS, key: XSS.key, value: encoder.encode(JSON.stringify(anOrder())), headers: {} });
    await until("event: record");
    const data = JSON.parse(/event: record\ndata: (.*)\n/.exec(text)?.[1] ?? "{}");
    expect(data).toMatchObject({ topic: ORDERS, key: XSS.key, check: { status: "valid", contract: "orders" } });
    expect(text).not.toContain('"key":"before"');
    expect(cluster.tailCount).toBe(1);
    abort.abort();
    await reader.cancel().catch(() => {});
    await expect.poll(() => cluster.tailCount).toBe(0);
  });

  it("answers 404 for a topic that does not exist", async () => {
    const { app } = consoleKit();
    expect((await app.request("/api/tail/nope")).status).toBe(404);
  });
});
