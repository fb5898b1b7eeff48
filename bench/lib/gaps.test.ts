import { describe, expect, it } from "vitest";
import { longestGap, windowGaps } from "./gaps.ts";

describe("longestGap", () => {
  it("is the longest stretch between handlings that starts in the window", () => {
    expect(longestGap([0, 10, 20, 500, 510], 5, 600)).toBe(480);
    // A stretch open when the window starts belongs to the window before.
    expect(longestGap([0, 900, 1_000, 1_010], 950, 1_200)).toBe(190);
    // One that starts in the window counts whole, even past its end.
    expect(longestGap([0, 10, 900], 5, 100)).toBe(890);
  });

  it("runs to the window's end when nothing follows, and counts from its start when nothing is in it", () => {
    expect(longestGap([0, 10], 5, 100)).toBe(90);
    expect(longestGap([], 5, 100)).toBe(95);
    expect(longestGap([0, 200], 5, 100)).toBe(195);
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
