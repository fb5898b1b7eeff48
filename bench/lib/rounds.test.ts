import { describe, expect, it } from "vitest";
import { medianRows, spreads } from "./report.ts";
import type { ScenarioResult } from "./result.ts";
import { roundOrder } from "./rounds.ts";

function row(id: string, round: number, msgsPerS: number, edgeS?: number): ScenarioResult {
  return {
    id,
    scenario: "http-single",
    client: "confluent",
    status: "ok",
    messages: 1000,
    errors: 0,
    bytes: 1000,
    elapsedS: 1000 / msgsPerS,
    msgsPerS,
    mbPerS: 0,
    latencyOf: "",
    cpuS: {},
    ...(edgeS === undefined ? {} : { cpu: { edge: edgeS, brokers: edgeS / 2 } }),
    settings: {},
    round,
  };
}

describe("bench rounds", () => {
  it("rotates the phases by one per round, so each phase takes every position", () => {
    const phases = ["a", "b", "c"];
    expect([1, 2, 3, 4].map((r) => roundOrder(phases, r).join(""))).toEqual(["abc", "bca", "cab", "abc"]);
    expect(roundOrder([], 2)).toEqual([]);
  });

  it("shows each scenario's median round, in the order scenarios first appeared", () => {
    const rows = [row("x", 1, 300), row("y", 1, 10), row("x", 2, 100), row("x", 3, 200), row("y", 2, 30)];
    const shown = medianRows(rows);
    expect(shown.map((r) => [r.id, r.round])).toEqual([
      ["x", 3],
      ["y", 1],
    ]);
  });

  it("keeps a failed round out of the median and shows a scenario that never succeeded as failed", () => {
    const failed: ScenarioResult = { ...row("x", 2, 0), status: "failed", note: "boom" };
    expect(medianRows([row("x", 1, 50), failed]).map((r) => r.round)).toEqual([1]);
    expect(medianRows([failed])[0]?.status).toBe("failed");
  });

  it("gives the lowest and highest rate and CPU per event over the rounds", () => {
    const list = spreads([row("x", 1, 300, 0.08), row("x", 2, 100, 0.12), row("y", 1, 5, 0.01)]);
    expect(list).toEqual([{ id: "x", rounds: 2, msgsPerS: [100, 300], edgeUs: [80, 120], brokersUs: [40, 60] }]);
  });
});
