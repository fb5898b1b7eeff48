import { describe, expect, it } from "vitest";
import { fingerprint, MemoryIdempotencyStore, requestFingerprint } from "./idempotency.ts";

describe("MemoryIdempotencyStore", () => {
  const store = () => new MemoryIdempotencyStore({ maxKeys: 2, windowMs: 60_000 });

  it("runs the work once per key and replays its answer", async () => {
    const s = store();
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: ++runs } });
    const first = await s.run("orders", "k", "f", work);
    const second = await s.run("orders", "k", "f", work);
    expect(first).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(second).toEqual({ status: 201, body: { run: 1 }, replayed: true });
  });

  it("makes a concurrent retry wait for the first attempt", async () => {
    const s = store();
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const work = async () => {
      runs++;
      await gate;
      return { status: 201, body: {} };
    };
    const both = Promise.all([s.run("t", "k", "f", work), s.run("t", "k", "f", work)]);
    release();
    const answers = await both;
    expect(runs).toBe(1);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
  });

  it("forgets failed attempts so they can be retried", async () => {
    const s = store();
    await s.run("t", "k", "f", async () => ({ status: 503, body: {} }));
    await expect(s.run("t", "k", "f", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await s.run("t", "k", "f", async () => ({ status: 201, body: {} }))).toMatchObject({ replayed: false });
  });

  it("refuses a key reused with another request, per topic", async () => {
    const s = store();
    await s.run("orders", "k", "f1", async () => ({ status: 201, body: {} }));
    await expect(s.run("orders", "k", "f2", async () => ({ status: 201, body: {} }))).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    expect(await s.run("health", "k", "f2", async () => ({ status: 201, body: {} }))).toMatchObject({
      replayed: false,
    });
  });

  it("is bounded: the oldest key goes first", async () => {
    const s = store();
    for (const key of ["a", "b", "c"]) await s.run("t", key, "f", async () => ({ status: 201, body: { key } }));
    expect((await s.run("t", "a", "f", async () => ({ status: 201, body: {} }))).replayed).toBe(false);
  });

  it("fingerprints requests by content", async () => {
    expect(await fingerprint("a", "b")).toBe(await fingerprint("a", "b"));
    expect(await fingerprint("a", "b")).not.toBe(await fingerprint("a", "c"));
  });
  it("remembers a 207 (some records stored) but forgets any other answer from 300 up", async () => {
    const s = store();
    let runs = 0;
    const answer = (status: number) => async () => ({ status, body: { run: ++runs } });
    await s.run("t", "partial", "f", answer(207));
    expect(await s.run("t", "partial", "f", answer(207))).toMatchObject({ body: { run: 1 }, replayed: true });
    await s.run("t", "redirect", "f", answer(300));
    expect(await s.run("t", "redirect", "f", answer(300))).toMatchObject({ body: { run: 3 }, replayed: false });
  });
});

describe("requestFingerprint", () => {
  const json = { "content-type": "application/json" };
  const ndjson = { "content-type": "application/x-ndjson" };

  it("takes JSON with other whitespace or key order as the same request", async () => {
    expect(await requestFingerprint(json, false, '{"a":1,"b":2}')).toBe(
      await requestFingerprint(json, false, '{ "b": 2,\n  "a": 1 }'),
    );
  });

  it("compares a body that is not JSON byte-wise", async () => {
    expect(await requestFingerprint(json, false, "not json")).toBe(await requestFingerprint(json, false, "not json"));
    expect(await requestFingerprint(json, false, "not json")).not.toBe(
      await requestFingerprint(json, false, "not json either"),
    );
  });

  it("compares NDJSON line by line, ignoring blank lines and each line's whitespace", async () => {
    const compact = '{"a":1,"b":2}\n{"c":3}';
    expect(await requestFingerprint(ndjson, false, compact)).toBe(
      await requestFingerprint(ndjson, false, '{ "b": 2, "a": 1 }\n\n  \n{ "c": 3 }\n'),
    );
    expect(await requestFingerprint(ndjson, false, compact)).not.toBe(
      await requestFingerprint(ndjson, false, '{"a":1,"b":2}\n{"c":4}'),
    );
  });

  it("includes the binary-mode ce-* headers, whatever their case, and no other header", async () => {
    const base = await requestFingerprint({ ...json, "ce-type": "order.created" }, false, "{}");
    expect(await requestFingerprint({ ...json, "CE-Type": "order.created" }, false, "{}")).toBe(base);
    expect(await requestFingerprint({ ...json, "ce-type": "order.created", "x-trace": "1" }, false, "{}")).toBe(base);
    expect(await requestFingerprint({ ...json, "ce-type": "order.cancelled" }, false, "{}")).not.toBe(base);
    expect(await requestFingerprint({ ...json, "ce-type": "order.created", "x-ce-": "1" }, false, "{}")).toBe(base);
    expect(await requestFingerprint(json, false, "{}")).not.toBe(base);
  });

  it("does not depend on the order the ce-* headers came in", async () => {
    expect(await requestFingerprint({ "ce-type": "t", "ce-source": "/s", ...json }, false, "{}")).toBe(
      await requestFingerprint({ ...json, "ce-source": "/s", "ce-type": "t" }, false, "{}"),
    );
  });

  it("tells an atomic batch from a plain one, and one media type from another", async () => {
    expect(await requestFingerprint(json, true, "[]")).not.toBe(await requestFingerprint(json, false, "[]"));
    expect(await requestFingerprint(ndjson, false, "{}")).not.toBe(await requestFingerprint(json, false, "{}"));
  });
});
