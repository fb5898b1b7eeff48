import { describe, expect, it } from "vitest";
import { crashHook, noCrash } from "./crash.ts";

describe("crash hook (fault tests)", () => {
  it("is a no-op unless odds are configured", () => {
    expect(crashHook(undefined)).toBe(noCrash);
    expect(crashHook({})).toBe(noCrash);
  });

  it("kills at a configured point when the draw falls under its odds, never at another point", () => {
    const killed: string[] = [];
    let draw = 0.5;
    const crash = crashHook(
      { "in-transaction": 0.3 },
      () => killed.push("kill"),
      () => draw,
    );
    crash("in-transaction");
    crash("handler");
    draw = 0.1;
    crash("handler");
    crash("in-transaction");
    expect(killed).toEqual(["kill"]);
  });
});
