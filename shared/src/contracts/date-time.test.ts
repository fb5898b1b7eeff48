import { describe, expect, it } from "vitest";
import { isRealDateTime } from "./date-time.ts";

describe("isRealDateTime", () => {
  it.each([
    ["2026-02-28T10:00:00Z", true],
    ["2028-02-29T10:00:00Z", true],
    ["2000-02-29T00:00:00+01:00", true],
    ["0001-04-10T21:48:30.0Z", true],
    ["2026-02-30T10:00:00Z", false],
    ["1900-02-29T00:00:00Z", false],
    ["2026-13-01T00:00:00Z", false],
    ["2026-04-31T00:00:00Z", false],
    ["2026-01-01T24:00:00Z", false],
    ["2026-01-01T23:60:00Z", false],
    ["2026-01-01T23:59:60Z", false],
    ["2026-00-10T00:00:00Z", false],
    ["2026-01-00T00:00:00Z", false],
    ["2026-01-01t00:00:00z", true],
    ["2026-01-01", false],
  ])("%s is %s", (value, real) => {
    expect(isRealDateTime(value)).toBe(real);
  });
});
