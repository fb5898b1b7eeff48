import { describe, expect, it } from "vitest";
import { fingerprint, IdempotencyStore } from "./idempotency.ts";

describe("IdempotencyStore", () => {
  const store = () => new IdempotencyStore({ maxKeys: 2, windowMs: 60_000 });

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
});
