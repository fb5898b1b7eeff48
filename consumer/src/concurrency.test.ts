import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Semaphore, sleep } from "./concurrency.ts";

// backoffDelay is tested in dead-letter.test.ts, beside the retries it paces.

describe("Semaphore", () => {
  it("runs at most `permits` tasks at once and serves waiters in order", async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const task = (n: number) =>
      slots.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        order.push(n);
        running--;
        return n;
      });
    const all = Promise.all([1, 2, 3, 4].map(task));
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    while (order.length < 4) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await all).toEqual([1, 2, 3, 4]);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it("frees the permit when a task throws", async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await slots.run(async () => "next")).toBe("next");
  });

  it("frees the permit when a task throws before it returns a promise, and hands it to a waiter", async () => {
    const slots = new Semaphore(1);
    let release: () => void = () => {};
    const first = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
    const broken = slots.run((): Promise<void> => {
      throw new Error("sync");
    });
    const after = slots.run(async () => "after");
    release();
    await first;
    await expect(broken).rejects.toThrow("sync");
    expect(await after).toBe("after");
    // One permit, free again: a task now starts at once.
    let started = false;
    void slots.run(async () => {
      started = true;
    });
    expect(started).toBe(true);
  });
});

describe("sleep", () => {
  // A fake clock: the unit project waits on no real time.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves after the delay without a signal, not before", async () => {
    let done = false;
    const waiting = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it("rejects at once with the signal's reason when already aborted, or when aborted while waiting", async () => {
    const done = new AbortController();
    done.abort(new Error("gone"));
    await expect(sleep(60_000, done.signal)).rejects.toThrow("gone");
    const later = new AbortController();
    const waiting = sleep(60_000, later.signal);
    later.abort(new Error("revoked"));
    await expect(waiting).rejects.toThrow("revoked");
  });

  it("stops listening once it resolved", async () => {
    const controller = new AbortController();
    const waiting = sleep(1, controller.signal);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(() => controller.abort(new Error("late"))).not.toThrow();
  });
});
