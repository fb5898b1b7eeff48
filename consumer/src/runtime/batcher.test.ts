import { describe, expect, it } from "vitest";
import { manualClock } from "../test-kit.ts";
import { Batcher } from "./batcher.ts";

const p0 = { topic: "t", partition: 0 };
const p1 = { topic: "t", partition: 1 };

function batcher(maxEvents: number, maxWaitMs: number, flush?: (items: string[]) => Promise<void>) {
  const clock = manualClock();
  const flushed: Array<{ partition: number; items: string[] }> = [];
  const b = new Batcher<string>({
    maxEvents,
    maxWaitMs,
    clock,
    flush: (tp, items) => {
      flushed.push({ partition: tp.partition, items });
      return flush ? flush(items) : Promise.resolve();
    },
  });
  return { b, clock, flushed };
}

describe("Batcher", () => {
  it("hands a partition's batch over once it holds maxEvents, and starts the next one empty", async () => {
    const { b, flushed } = batcher(2, 1_000);
    await b.add(p0, "a");
    await b.add(p1, "x");
    expect(flushed).toEqual([]);
    await b.add(p0, "b");
    expect(flushed).toEqual([{ partition: 0, items: ["a", "b"] }]);
    await b.add(p0, "c");
    expect(flushed).toHaveLength(1);
  });

  it("hands a batch over maxWaitMs after its first event, and its timer does not fire again", async () => {
    const { b, clock, flushed } = batcher(10, 50);
    await b.add(p0, "a");
    await clock.advance(30);
    await b.add(p0, "b");
    expect(flushed).toEqual([]);
    await clock.advance(20);
    expect(flushed).toEqual([{ partition: 0, items: ["a", "b"] }]);
    await clock.advance(100);
    expect(flushed).toHaveLength(1);
  });

  it("a batch handed over by count cancels its timer", async () => {
    const { b, clock, flushed } = batcher(1, 50);
    await b.add(p0, "a");
    expect(clock.sleepers()).toBe(0);
    await clock.advance(50);
    expect(flushed).toEqual([{ partition: 0, items: ["a"] }]);
  });

  it("add resolves with the hand-out when the event fills the batch (its back-pressure), at once otherwise", async () => {
    let release = () => {};
    const { b } = batcher(2, 1_000, () => new Promise<void>((resolve) => (release = resolve)));
    await b.add(p0, "a");
    let taken = false;
    const filling = b.add(p0, "b").then(() => {
      taken = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toBe(false);
    release();
    await filling;
    expect(taken).toBe(true);
  });

  it("a hand-out by the timer that fails (its partition going away) is not an unhandled error", async () => {
    const { b, clock, flushed } = batcher(10, 5, () => Promise.reject(new Error("revoked")));
    await b.add(p0, "a");
    await clock.advance(5);
    expect(flushed).toHaveLength(1);
  });

  it("drop forgets the partition's gathering batch and returns it; its timer hands nothing over", async () => {
    const { b, clock, flushed } = batcher(10, 50);
    await b.add(p0, "a");
    await b.add(p0, "b");
    expect(b.drop(p0)).toEqual(["a", "b"]);
    expect(b.drop(p0)).toEqual([]);
    await clock.advance(50);
    expect(flushed).toEqual([]);
  });

  it("refuses bounds that cannot make a batch", () => {
    const clock = manualClock();
    const make = (maxEvents: number, maxWaitMs: number) => () =>
      new Batcher({ maxEvents, maxWaitMs, clock, flush: async () => {} });
    expect(make(0, 10)).toThrow(/maxEvents/);
    expect(make(1.5, 10)).toThrow(/maxEvents/);
    expect(make(1, -1)).toThrow(/maxWaitMs/);
    expect(make(1, Number.NaN)).toThrow(/maxWaitMs/);
    expect(make(1, 0)).not.toThrow();
  });
});
