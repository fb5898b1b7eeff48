import { namespace } from "@kafka-pair/shared/runtime";
import { describe, expect, it } from "vitest";
import type { Context } from "./scenarios.ts";
import { type StepOutcome, type SweepTarget, sweep } from "./sweep.ts";

/** A context whose topic grows by what the target writes; no broker CPU to read. */
function fakeContext(topic: { written: number }): Context {
  const bar = { update() {}, done() {} };
  return {
    ns: namespace("t."),
    admin: { endOffsets: async () => new Map([[0, String(topic.written)]]) },
    brokerPids: [],
    progress: { begin: () => bar, log() {} },
  } as unknown as Context;
}

/** A target that answers every request, with the p99 the script gives for the offered rate. */
function scripted(p99At: (eventsPerS: number) => number, topic: { written: number }, extra = 0): SweepTarget {
  return {
    name: "fake",
    perRequest: 1,
    async runStep(requestsPerS, durationS): Promise<StepOutcome> {
      const acked = Math.round(requestsPerS * durationS);
      topic.written += acked + extra;
      const p99Ms = p99At(Math.round(requestsPerS));
      return {
        requests: acked,
        acked,
        refused: 0,
        elapsedS: durationS,
        latency: { count: acked, p50Ms: 1, p95Ms: p99Ms, p99Ms, maxMs: p99Ms, meanMs: 1 },
        cpuS: 0,
        edgeCpuS: 0.1,
        unmeasuredWrites: extra,
      };
    },
  };
}

const options = { sloMs: 50, stepS: 1, startEventsPerS: 100, factor: 2, maxSteps: 8 };

/** Sweeps the target `make` builds over a fresh, empty topic. */
function sweepOf(make: (topic: { written: number }) => SweepTarget, maxSteps = options.maxSteps) {
  const topic = { written: 0 };
  return sweep(fakeContext(topic), make(topic), "s", { ...options, maxSteps });
}

describe("the open-loop sweep", () => {
  it("stops at the second step in a row past the SLO; the last passing step is the sustainable rate", async () => {
    const result = await sweepOf((topic) => scripted((r) => (r >= 1600 ? 90 : 10), topic));
    expect(result.status).toBe("ok");
    expect(result.steps.map((s) => s.offeredPerS)).toEqual([100, 200, 400, 800, 1600, 3200]);
    expect(result.sustainablePerS).toBe(800);
    expect(result.stoppedBecause).toContain("second step in a row");
  });

  it("lets one step past the SLO go (a burst on a shared machine) and goes on", async () => {
    const result = await sweepOf((topic) => scripted((r) => (r === 400 || r >= 3200 ? 90 : 10), topic));
    expect(result.steps.find((s) => s.offeredPerS === 400)?.withinSlo).toBe(false);
    expect(result.sustainablePerS).toBe(1600);
  });

  it("says it ran out of steps when a step past the SLO was made up for", async () => {
    const result = await sweepOf((topic) => scripted((r) => (r === 400 ? 90 : 10), topic));
    expect(result.steps).toHaveLength(8);
    expect(result.sustainablePerS).toBe(12_800);
    expect(result.stoppedBecause).toBe("reached 8 steps");
  });

  it("keeps records written outside the measured load out of the count check", async () => {
    const counted = await sweepOf((topic) => scripted(() => 10, topic, 1), 2);
    expect(counted.status).toBe("ok");
    expect(counted.steps.every((s) => s.written === s.acked)).toBe(true);
  });

  it("fails the sweep when the topic holds other than what was acknowledged", async () => {
    const result = await sweepOf((topic) => {
      const target = scripted(() => 10, topic, 1);
      // Writes one record more per step than it owns up to.
      return { ...target, runStep: async (r, d) => ({ ...(await target.runStep(r, d)), unmeasuredWrites: 0 }) };
    }, 2);
    expect(result.status).toBe("failed");
    expect(result.stoppedBecause).toMatch(/count check failed: 101 records written, 100 acknowledged/);
  });
});
