import { describe, expect, it } from "vitest";
import { longestGap, windowGaps } from "./gaps.ts";

describe("longestGap", () => {
  it("is the longest stretch between handlings that ends in the window", () => {
    expect(longestGap([0, 10, 20, 500, 510], 5, 600)).toBe(480);
    // A hand-over that began just before the change counts in the window where processing resumed.
    expect(longestGap([0, 10, 900, 910], 50, 1_000)).toBe(890);
    // One that ends after the window counts in the next one; here only the wait up to the end shows.
    expect(longestGap([0, 10, 900], 5, 100)).toBe(90);
  });

  it("counts a window with nothing handled from its start", () => {
    expect(longestGap([], 5, 100)).toBe(95);
    expect(longestGap([0, 200], 5, 100)).toBe(95);
  });
});

describe("windowGaps", () => {
  it("measures each partition apart and the group as a whole", () => {
    const handled = [
      [0, 0],
      [1, 5],
      [0, 10],
      [1, 300],
      [0, 20],
      [0, 400],
      [1, 410],
    ] as const;
    expect(windowGaps(handled, 2, 0, 410)).toEqual({
      perPartition: { 0: 380, 1: 295 },
      worstPartition: 380,
      overall: 280,
    });
  });
});
