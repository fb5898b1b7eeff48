import { describe, expect, it, vi } from "vitest";
import type { Logger } from "../../runtime/log.ts";
import type { TopicPartition } from "../consumer.ts";
import {
  activePartitions,
  type DrainablePartition,
  type DrainSteps,
  drainPartition,
  partitionKey,
  type RevocablePartition,
  releasePartitions,
} from "./partitions.ts";

function state(running?: Promise<void>): RevocablePartition {
  return { queue: [1, 2, 3], abort: new AbortController(), running };
}

function logger() {
  const error = vi.fn();
  const warn = vi.fn();
  return { error, warn, logger: { error, warn } as unknown as Logger };
}

const tps: TopicPartition[] = [{ topic: "t", partition: 0 }];

describe("releasePartitions", () => {
  it("drops queued messages, aborts, waits for those in hand, then calls onRevoke", async () => {
    const order: string[] = [];
    let finish: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      finish = resolve;
    }).then(() => {
      order.push("handled");
    });
    const s = state(running);
    const { error, logger: log } = logger();
    const onRevoke = vi.fn(async () => {
      order.push("revoked");
    });
    const done = releasePartitions([s], tps, true, { listener: { onRevoke }, revokeTimeoutMs: 10_000, logger: log });
    expect(s.queue).toEqual([]);
    expect(s.abort.signal.aborted).toBe(true);
    await Promise.resolve();
    expect(onRevoke).not.toHaveBeenCalled();
    finish();
    await done;
    expect(order).toEqual(["handled", "revoked"]);
    expect(onRevoke).toHaveBeenCalledWith(tps, { lost: true });
    expect(error).not.toHaveBeenCalled();
  });

  it("calls onRevoke anyway once the revoke timeout is up", async () => {
    const s = state(new Promise<void>(() => {}));
    const { error, logger: log } = logger();
    const onRevoke = vi.fn();
    // The revoke timeout passes on a fake clock: no real-time wait in the unit project.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const releasing = releasePartitions([s], tps, false, { listener: { onRevoke }, revokeTimeoutMs: 5, logger: log });
      await vi.advanceTimersByTimeAsync(4);
      expect(onRevoke).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      await releasing;
    } finally {
      vi.useRealTimers();
    }
    expect(onRevoke).toHaveBeenCalledWith(tps, { lost: false });
    expect(error).toHaveBeenCalledWith({ timeoutMs: 5 }, "in-flight messages outlived the revocation");
  });

  it("logs a failing listener instead of throwing", async () => {
    const { error, logger: log } = logger();
    const failure = new Error("commit failed");
    const onRevoke = vi.fn(async () => {
      throw failure;
    });
    await releasePartitions([state()], tps, false, { listener: { onRevoke }, revokeTimeoutMs: 5, logger: log });
    expect(error).toHaveBeenCalledWith({ err: failure }, "revocation listener failed");
  });

  it("keys partitions by topic and number", () => {
    expect(partitionKey({ topic: "a", partition: 1 })).not.toBe(partitionKey({ topic: "a", partition: 2 }));
    expect(partitionKey({ topic: "a", partition: 1 })).toBe(partitionKey({ topic: "a", partition: 1 }));
  });
});

describe("drainPartition", () => {
  function setup(queue: number[], handle: (m: number) => Promise<void>, paused = false) {
    const state: DrainablePartition<number> = { queue, abort: new AbortController(), running: undefined, paused };
    const { warn, logger: log } = logger();
    const steps: DrainSteps<number> = {
      handle: vi.fn(handle),
      describe: (m) => ({ offset: m }),
      seek: vi.fn(),
      resume: vi.fn(),
      maxBuffered: 4,
      logger: log,
    };
    return { state, steps, warn };
  }

  it("hands out the queue in order, resumes a paused partition at half the limit, and clears running", async () => {
    const seen: number[] = [];
    const { state, steps } = setup(
      [1, 2, 3, 4],
      async (m) => {
        seen.push(m);
      },
      true,
    );
    state.running = drainPartition(state, steps);
    await state.running;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(steps.resume).toHaveBeenCalledTimes(1);
    expect(state.paused).toBe(false);
    expect(state.running).toBeUndefined();
  });

  it("on a failing handler empties the queue and seeks back to that message", async () => {
    const { state, steps, warn } = setup([1, 2, 3], async (m) => {
      if (m === 2) throw new Error("no");
    });
    await drainPartition(state, steps);
    expect(state.queue).toEqual([]);
    expect(steps.seek).toHaveBeenCalledWith(2);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ offset: 2 }),
      "message left unhandled; it will be read again",
    );
  });

  it("stops, without seeking, once the partition is going away", async () => {
    const { state, steps } = setup([1, 2, 3], async () => {
      state.abort.abort();
      throw new Error("aborted");
    });
    await drainPartition(state, steps);
    expect(steps.handle).toHaveBeenCalledTimes(1);
    expect(steps.seek).not.toHaveBeenCalled();
  });
});

describe("activePartitions", () => {
  it("leaves out the partitions going away", () => {
    const kept = { topic: "t", partition: 0, abort: new AbortController() };
    const going = { topic: "t", partition: 1, abort: new AbortController() };
    going.abort.abort();
    expect(activePartitions([kept, going])).toEqual([{ topic: "t", partition: 0 }]);
  });
});
