import { describe, expect, it } from "vitest";
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
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(running).toBe(2);
    while (order.length < 4) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
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
});

describe("sleep", () => {
  it("resolves after the delay without a signal", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
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
    await sleep(1, controller.signal);
    expect(() => controller.abort(new Error("late"))).not.toThrow();
  });
});
