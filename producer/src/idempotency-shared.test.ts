import { KafkaPairError } from "@kafka-pair/shared/errors";
import { describe, expect, it } from "vitest";
import { httpStatusOf } from "./http-status.ts";
import type { Answer } from "./idempotency.ts";
import { type KeyValue, SharedIdempotencyStore } from "./idempotency-shared.ts";

/** A Valkey stand-in with the same SET NX PX / GET / compare-and-delete semantics, on a fake clock. */
function fakeServer() {
  const clock = { now: 0 };
  const data = new Map<string, { value: string; expiresAt: number }>();
  let reachable = true;
  const live = (key: string) => {
    const entry = data.get(key);
    if (entry && entry.expiresAt <= clock.now) data.delete(key);
    return data.get(key);
  };
  const check = () => {
    if (!reachable) throw new Error("connect ECONNREFUSED 127.0.0.1:4479");
  };
  const kv: KeyValue = {
    async setIfAbsent(key, value, ttlMs) {
      check();
      if (live(key)) return false;
      data.set(key, { value, expiresAt: clock.now + ttlMs });
      return true;
    },
    async set(key, value, ttlMs) {
      check();
      data.set(key, { value, expiresAt: clock.now + ttlMs });
    },
    async get(key) {
      check();
      return live(key)?.value ?? null;
    },
    async deleteIf(key, value) {
      check();
      if (live(key)?.value === value) data.delete(key);
    },
    async close() {},
  };
  return {
    kv,
    clock,
    data,
    setReachable: (value: boolean) => {
      reachable = value;
    },
  };
}

const created: Answer = { status: 201, body: { offset: "7" } };

function instance(server: ReturnType<typeof fakeServer>) {
  return new SharedIdempotencyStore(server.kv, {
    prefix: "ns:",
    windowMs: 60_000,
    leaseMs: 10_000,
    pollMs: 25,
    // Polling advances the fake clock instead of waiting.
    sleep: async (ms) => {
      server.clock.now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    now: () => server.clock.now,
  });
}

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KafkaPairError) return `${httpStatusOf(err.code)} ${err.code}`;
    throw err;
  }
  return "resolved";
};

describe("SharedIdempotencyStore", () => {
  it("produces once; the same request through another instance replays the first answer", async () => {
    const server = fakeServer();
    const [a, b] = [instance(server), instance(server)];
    let produced = 0;
    const work = async () => {
      produced++;
      return created;
    };
    expect(await a.run("orders", "k1", "fp", work)).toEqual({ ...created, replayed: false });
    expect(await b.run("orders", "k1", "fp", work)).toEqual({ ...created, replayed: true });
    expect(produced).toBe(1);
  });

  it("refuses the same key with another request with 409", async () => {
    const server = fakeServer();
    await instance(server).run("orders", "k1", "fp", async () => created);
    expect(await code(instance(server).run("orders", "k1", "other", async () => created))).toBe(
      "409 IDEMPOTENCY_KEY_REUSED",
    );
  });

  it("concurrent duplicates on two instances: one produce, both callers get its answer", async () => {
    const server = fakeServer();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let produced = 0;
    const work = async () => {
      produced++;
      await held;
      return created;
    };
    const first = instance(server).run("orders", "k1", "fp", work);
    const second = instance(server).run("orders", "k1", "fp", work);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await first).toEqual({ ...created, replayed: false });
    expect(await second).toEqual({ ...created, replayed: true });
    expect(produced).toBe(1);
  });

  it("remembers nothing for an answer that stored nothing, nor for a throw: the retry produces", async () => {
    const server = fakeServer();
    const store = instance(server);
    await store.run("orders", "k1", "fp", async () => ({ status: 503, body: {} }));
    await expect(store.run("orders", "k2", "fp", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(server.data.size).toBe(0);
    expect(await store.run("orders", "k1", "fp", async () => created)).toEqual({ ...created, replayed: false });
  });

  it("keeps an answer for the window only", async () => {
    const server = fakeServer();
    const store = instance(server);
    await store.run("orders", "k1", "fp", async () => created);
    server.clock.now += 60_000;
    let produced = 0;
    await store.run("orders", "k1", "fp", async () => {
      produced++;
      return created;
    });
    expect(produced).toBe(1);
  });

  it("an instance that died holding a claim: after the lease another one produces", async () => {
    const server = fakeServer();
    void instance(server).run("orders", "k1", "fp", () => new Promise<Answer>(() => {}));
    await new Promise((resolve) => setImmediate(resolve));
    let produced = 0;
    const answer = await instance(server).run("orders", "k1", "fp", async () => {
      produced++;
      return created;
    });
    expect(answer.replayed).toBe(false);
    expect(produced).toBe(1);
  });

  it("503 IDEMPOTENCY_UNAVAILABLE when the server is unreachable, and nothing produced", async () => {
    const server = fakeServer();
    server.setReachable(false);
    let produced = 0;
    const outcome = await code(
      instance(server).run("orders", "k1", "fp", async () => {
        produced++;
        return created;
      }),
    );
    expect(outcome).toBe("503 IDEMPOTENCY_UNAVAILABLE");
    expect(produced).toBe(0);
  });
});
