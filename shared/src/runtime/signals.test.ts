import { describe, expect, it } from "vitest";
import { createLogger } from "./log.ts";
import { stopOnSignals } from "./signals.ts";

function harness() {
  let clock = 0;
  const calls: string[] = [];
  const exits: number[] = [];
  let finish!: (code: number) => void;
  const handle = stopOnSignals({
    shutdown: (signal) => {
      calls.push(signal);
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    },
    exit: (code) => exits.push(code),
    logger: createLogger("test", "silent"),
    duplicateWindowMs: 1000,
    now: () => clock,
  });
  return {
    handle,
    calls,
    exits,
    finish: (code: number) => finish(code),
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("stopOnSignals", () => {
  it("starts one graceful stop on the first signal and exits with its code once it is done", async () => {
    const h = harness();
    h.handle("SIGINT");
    expect(h.calls).toEqual(["SIGINT"]);
    await settled();
    expect(h.exits).toEqual([]);
    h.finish(0);
    await settled();
    expect(h.exits).toEqual([0]);
  });

  it("takes a signal relayed by a wrapper within the window for the same request", async () => {
    const h = harness();
    h.handle("SIGINT");
    h.advance(5);
    h.handle("SIGINT");
    h.advance(30);
    h.handle("SIGTERM");
    await settled();
    expect(h.calls).toEqual(["SIGINT"]);
    expect(h.exits).toEqual([]);
    h.finish(0);
    await settled();
    expect(h.exits).toEqual([0]);
  });

  it("exits at once, non-zero, on a later deliberate signal before the drain finished", async () => {
    const h = harness();
    h.handle("SIGINT");
    h.advance(1000);
    h.handle("SIGINT");
    expect(h.exits).toEqual([130]);
    h.advance(1);
    h.handle("SIGTERM");
    expect(h.exits).toEqual([130, 143]);
    expect(h.calls).toEqual(["SIGINT"]);
  });

  it("exits 1 when the graceful stop throws", async () => {
    const exits: number[] = [];
    const handle = stopOnSignals({
      shutdown: () => Promise.reject(new Error("boom")),
      exit: (code) => exits.push(code),
      logger: createLogger("test", "silent"),
    });
    handle("SIGTERM");
    await settled();
    expect(exits).toEqual([1]);
  });
});
