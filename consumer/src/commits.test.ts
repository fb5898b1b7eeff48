import type { CommitPosition } from "@kafka-pair/shared/transport";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CommitCoalescer } from "./commits.ts";
import { OffsetTracker } from "./offsets.ts";

/** A commit function whose calls the test completes by hand. */
function manualCommits() {
  const calls: { positions: CommitPosition[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const send = (positions: CommitPosition[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ positions, resolve, reject });
    });
  return { calls, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

// The retry and answer timers run on a fake clock: no real-time waits in the unit project.
// setImmediate stays real, so `tick` still yields a turn of the event loop.
const fakeTimers = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
afterEach(() => {
  vi.useRealTimers();
});

describe("CommitCoalescer", () => {
  it("keeps one commit in flight and sends the newest offsets as soon as it returns", async () => {
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const coalescer = new CommitCoalescer(tracker, send);
    const finish = (partition: number, offset: string) => {
      tracker.done(tracker.received({ topic: "t", partition }, offset));
      coalescer.notify();
    };
    finish(0, "0");
    expect(calls).toHaveLength(1);
    finish(0, "1");
    finish(0, "2");
    finish(1, "9");
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.positions).toEqual([
      { topic: "t", partition: 0, offset: "3" },
      { topic: "t", partition: 1, offset: "10" },
    ]);
    calls[1]?.resolve();
    await tick();
    expect(calls).toHaveLength(2);
    expect(tracker.committed({ topic: "t", partition: 0 })).toBe("3");
  });

  it("flush waits for the commit in flight and then commits the rest", async () => {
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const coalescer = new CommitCoalescer(tracker, send);
    const first = tracker.received({ topic: "t", partition: 0 }, "0");
    tracker.done(first);
    coalescer.notify();
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "1"));
    let flushed = false;
    const flushing = coalescer.flush().then(() => {
      flushed = true;
    });
    calls[0]?.resolve();
    await tick();
    // The drain loop or flush sends offset 2; either way, flush resolves only after it.
    expect(flushed).toBe(false);
    calls.at(-1)?.resolve();
    await flushing;
    expect(tracker.committed({ topic: "t", partition: 0 })).toBe("2");
  });

  it("does not mark a failed commit as committed, and retries it", async () => {
    fakeTimers();
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const failures: unknown[] = [];
    const coalescer = new CommitCoalescer(tracker, send, { failed: (e) => failures.push(e) }, { retryDelayMs: 1 });
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "4"));
    coalescer.notify();
    calls[0]?.reject(new Error("rebalance in progress"));
    await tick();
    expect(failures).toHaveLength(1);
    expect(tracker.committed({ topic: "t", partition: 0 })).toBeUndefined();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve();
    await tick();
    expect(tracker.committed({ topic: "t", partition: 0 })).toBe("5");
    coalescer.close();
  });

  it("gives up on a commit that is never answered, and sends the newest offsets again", async () => {
    fakeTimers();
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const failures: unknown[] = [];
    const coalescer = new CommitCoalescer(
      tracker,
      send,
      { failed: (err) => failures.push(err) },
      { retryDelayMs: 5, timeoutMs: 20 },
    );
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "0"));
    coalescer.notify();
    expect(calls).toHaveLength(1); // never resolved: a stuck request
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "1"));
    coalescer.notify();
    expect(failures).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    // The fake never answers the retries either, so they time out too: the first failure is the stuck one.
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(String(failures[0])).toMatch(/not answered within 20 ms/);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[1]?.positions).toEqual([{ topic: "t", partition: 0, offset: "2" }]);
    calls[1]?.resolve();
  });

  it("leaves at most one commit per interval, carrying what finished meanwhile, and flush does not wait for it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const coalescer = new CommitCoalescer(tracker, send, {}, { intervalMs: 100 });
    const finish = (offset: string) => {
      tracker.done(tracker.received({ topic: "t", partition: 0 }, offset));
      coalescer.notify();
    };
    finish("0");
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await tick();
    finish("1");
    finish("2");
    // Answered, but the interval since the first commit started has not passed.
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.positions).toEqual([{ topic: "t", partition: 0, offset: "3" }]);
    calls[1]?.resolve();
    await tick();
    finish("3");
    // Revocation and shutdown commit at once.
    const flushed = coalescer.flush();
    await tick();
    expect(calls).toHaveLength(3);
    calls[2]?.resolve();
    await flushed;
    expect(tracker.committed({ topic: "t", partition: 0 })).toBe("4");
    await vi.advanceTimersByTimeAsync(200);
    // The paced notify found nothing new to commit.
    expect(calls).toHaveLength(3);
    coalescer.close();
  });

  it("reports each commit to its hooks; a flush whose commit fails rejects and commits nothing; close stops it", async () => {
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const committed: Array<{ positions: CommitPosition[]; seconds: number }> = [];
    const failed: unknown[] = [];
    const coalescer = new CommitCoalescer(tracker, send, {
      committed: (positions, seconds) => committed.push({ positions, seconds }),
      failed: (error) => failed.push(error),
    });
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "0"));
    coalescer.notify();
    calls[0]?.resolve();
    await tick();
    expect(committed).toHaveLength(1);
    expect(committed[0]?.positions).toEqual([{ topic: "t", partition: 0, offset: "1" }]);
    expect(committed[0]?.seconds).toBeGreaterThanOrEqual(0);
    tracker.done(tracker.received({ topic: "t", partition: 0 }, "1"));
    const flushing = coalescer.flush();
    await tick();
    calls.at(-1)?.reject(new Error("coordinator moved"));
    await expect(flushing).rejects.toThrow("coordinator moved");
    expect(failed).toHaveLength(1);
    expect(tracker.committed({ topic: "t", partition: 0 })).toBe("1");
    coalescer.close();
    const sent = calls.length;
    coalescer.notify();
    await tick();
    expect(calls).toHaveLength(sent);
  });

  it("flush with nothing finished sends nothing", async () => {
    const tracker = new OffsetTracker();
    const { calls, send } = manualCommits();
    const coalescer = new CommitCoalescer(tracker, send);
    tracker.received({ topic: "t", partition: 0 }, "0");
    await coalescer.flush();
    expect(calls).toHaveLength(0);
    coalescer.close();
  });
});
