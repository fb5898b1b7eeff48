import { describe, expect, it } from "vitest";
import { laneOf, ORDERINGS } from "./ordering.ts";

describe("ordering strategies as lanes", () => {
  it("partition: every event in one lane", () => {
    const lane = laneOf("partition");
    expect(lane({ key: "a" })).toBe(lane({ key: "b" }));
    expect(lane({ key: null })).toBe(lane({ key: "a" }));
    expect(lane({ key: "a" })).toBeDefined();
  });

  it("key: one lane per key, events without a key sharing one of their own", () => {
    const lane = laneOf("key");
    expect(lane({ key: "a" })).toBe("a");
    expect(lane({ key: "b" })).not.toBe(lane({ key: "a" }));
    expect(lane({ key: null })).toBe(lane({ key: null }));
    expect(lane({ key: null })).not.toBe(lane({ key: "" }));
    expect(lane({ key: null })).toBeDefined();
  });

  it("none: no lane at all", () => {
    expect(laneOf("none")({ key: "a" })).toBeUndefined();
    expect(ORDERINGS).toEqual(["partition", "key", "none"]);
  });
});
