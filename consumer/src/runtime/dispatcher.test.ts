import { describe, expect, it } from "vitest";
import { laneOf, type Ordering } from "../policies/ordering.ts";
import { Dispatcher } from "./dispatcher.ts";

const p0 = { topic: "t", partition: 0 };
const p1 = { topic: "t", partition: 1 };
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Work that records its start and finishes when the test releases it. */
function gate() {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const work = (name: string) => () => {
    started.push(name);
    return new Promise<void>((resolve) => releases.set(name, resolve));
  };
  const release = async (name: string) => {
    releases.get(name)?.();
    await turn();
  };
  return { started, work, release };
}

const dispatcher = (ordering: Ordering, maxInFlight = 10) => new Dispatcher(laneOf(ordering), maxInFlight);

describe("Dispatcher", () => {
  it("partition ordering: one event of the partition at a time, in the order scheduled", async () => {
    const d = dispatcher("partition");
    const g = gate();
    await d.schedule(p0, "a", g.work("a1"));
    await d.schedule(p0, "b", g.work("b1"));
    await d.schedule(p1, "c", g.work("c1"));
    await turn();
    expect(g.started).toEqual(["a1", "c1"]);
    await g.release("a1");
    expect(g.started).toEqual(["a1", "c1", "b1"]);
  });

  it("key ordering: same key one at a time in order, different keys at once; no-key events share a lane", async () => {
    const d = dispatcher("key");
    const g = gate();
    await d.schedule(p0, "a", g.work("a1"));
    await d.schedule(p0, "b", g.work("b1"));
    await d.schedule(p0, "a", g.work("a2"));
    await d.schedule(p0, null, g.work("n1"));
    await d.schedule(p0, null, g.work("n2"));
    await turn();
    expect(g.started).toEqual(["a1", "b1", "n1"]);
    expect(d.lanes(p0)).toBe(3);
    await g.release("b1");
    expect(g.started).toEqual(["a1", "b1", "n1"]);
    await g.release("a1");
    // a2 runs in a's lane now: the lane stays while it has work.
    expect(d.lanes(p0)).toBe(2);
    await d.schedule(p0, "a", g.work("a3"));
    await g.release("n1");
    expect(g.started).toEqual(["a1", "b1", "n1", "a2", "n2"]);
    await g.release("a2");
    expect(g.started).toEqual(["a1", "b1", "n1", "a2", "n2", "a3"]);
    await g.release("a3");
    await g.release("a2");
    await g.release("n2");
    expect(d.lanes(p0)).toBe(0);
    expect(d.held(p0)).toBe(0);
  });

  it("no ordering: every event at once", async () => {
    const d = dispatcher("none");
    const g = gate();
    for (const name of ["a1", "a2", "a3"]) await d.schedule(p0, "a", g.work(name));
    await turn();
    expect(g.started).toEqual(["a1", "a2", "a3"]);
    expect(d.lanes(p0)).toBe(0);
  });

  it("back-pressure: schedule waits while the partition holds its bound, and resumes as work finishes", async () => {
    const d = dispatcher("none", 2);
    const g = gate();
    await d.schedule(p0, "a", g.work("1"));
    await d.schedule(p0, "b", g.work("2"));
    let third = false;
    const scheduled = d.schedule(p0, "c", g.work("3")).then(() => {
      third = true;
    });
    await turn();
    expect(third).toBe(false);
    expect(d.held(p0)).toBe(2);
    // The bound is per partition: another partition is not held back.
    await d.schedule(p1, "x", g.work("x"));
    await g.release("1");
    await scheduled;
    expect(third).toBe(true);
    expect(g.started).toEqual(["1", "2", "x", "3"]);
    d.forget(p0);
    expect(d.held(p0)).toBe(0);
  });

  it("gives up waiting for room when the signal aborts, without scheduling", async () => {
    const d = dispatcher("none", 1);
    const g = gate();
    await d.schedule(p0, "a", g.work("1"));
    const abort = new AbortController();
    const waiting = d.schedule(p0, "a", g.work("2"), abort.signal);
    abort.abort(new Error("revoked"));
    await expect(waiting).rejects.toThrow("revoked");
    await expect(d.schedule(p0, "a", g.work("3"), abort.signal)).rejects.toThrow("revoked");
    await g.release("1");
    expect(g.started).toEqual(["1"]);
    expect(d.held(p0)).toBe(0);
  });

  it("every wait on a signal gives up when it aborts, a halted partition with nothing in hand too", async () => {
    const d = dispatcher("none", 1);
    const g = gate();
    const abort = new AbortController();
    await d.schedule(p0, "a", g.work("1"), abort.signal);
    // Two waits on one partition (a batch flush beside the fetch loop), and one on a halted, empty partition.
    const first = d.schedule(p0, "a", g.work("2"), abort.signal);
    const second = d.schedule(p0, "b", g.work("3"), abort.signal);
    d.halt(p1, true);
    const halted = d.schedule(p1, "c", g.work("4"), abort.signal);
    abort.abort(new Error("revoked"));
    await expect(first).rejects.toThrow("revoked");
    await expect(second).rejects.toThrow("revoked");
    await expect(halted).rejects.toThrow("revoked");
    await g.release("1");
    expect(g.started).toEqual(["1"]);
  });

  it("a halted partition hands nothing out until released; work in hand goes on", async () => {
    const d = dispatcher("key");
    const g = gate();
    await d.schedule(p0, "a", g.work("a1"));
    d.halt(p0, true);
    let next = false;
    const scheduled = d.schedule(p0, "b", g.work("b1")).then(() => {
      next = true;
    });
    await turn();
    expect(next).toBe(false);
    await g.release("a1");
    expect(next).toBe(false);
    d.halt(p0, false);
    await scheduled;
    await turn();
    expect(g.started).toEqual(["a1", "b1"]);
  });

  it("idle resolves once everything scheduled on the partition finished", async () => {
    const d = dispatcher("key");
    const g = gate();
    await expect(d.idle(p0)).resolves.toBeUndefined();
    await d.schedule(p0, "a", g.work("a1"));
    await d.schedule(p0, "a", g.work("a2"));
    let idle = false;
    const waiting = d.idle(p0).then(() => {
      idle = true;
    });
    await g.release("a1");
    expect(idle).toBe(false);
    await g.release("a2");
    await waiting;
    expect(idle).toBe(true);
  });

  it("refuses a maxInFlight that is not a positive integer", () => {
    expect(() => dispatcher("key", 0)).toThrow(RangeError);
    expect(() => dispatcher("key", 1.5)).toThrow(RangeError);
  });
});
