import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KafkaPairError } from "../errors.ts";
import { createLogger } from "./log.ts";
import { retryUntilDone } from "./startup.ts";

const options = { logger: createLogger("test", "silent"), what: "connecting", initialDelayMs: 1, maxDelayMs: 2 };

describe("retryUntilDone", () => {
  // The pauses between tries pass on a fake clock: no real-time wait in the unit project.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("tries again after failures until an attempt succeeds", async () => {
    let calls = 0;
    const trying = retryUntilDone(
      async () => {
        calls++;
        if (calls < 4) throw new Error("broker transport failure");
      },
      { ...options, stopped: () => false },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    // Pauses of 1, 2, 2 ms (doubling up to the ceiling) before the 2nd, 3rd and 4th tries.
    await vi.advanceTimersByTimeAsync(5);
    expect({ done: await trying, calls }).toEqual({ done: true, calls: 4 });
  });

  it("gives up at once on an error that retrying cannot fix", async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new KafkaPairError("CONTRACT_MISMATCH", "orders: 6 partitions, contract says 3");
    };
    await expect(retryUntilDone(attempt, { ...options, stopped: () => false })).rejects.toThrow(/contract says 3/);
    expect(calls).toBe(1);
  });

  it("stops trying once the worker is stopping", async () => {
    let calls = 0;
    const trying = retryUntilDone(
      async () => {
        calls++;
        throw new KafkaPairError("KAFKA_UNAVAILABLE", "down");
      },
      { ...options, stopped: () => calls >= 2 },
    );
    await vi.advanceTimersByTimeAsync(10);
    expect({ done: await trying, calls }).toEqual({ done: false, calls: 2 });
  });
});
