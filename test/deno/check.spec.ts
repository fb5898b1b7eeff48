import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { denoBin } from "../helpers/workers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

// tsc checks the code against Node's types; this checks it against Deno's, with the
// deno.json the tasks use (npm workspace packages resolved from node_modules).
describe("deno check", () => {
  it("type-checks the Deno entry points, the apps they boot and all of shared/", () => {
    const result = spawnSync(
      denoBin,
      [
        "check",
        "producer/src/main.deno.ts",
        "consumer/src/main.deno.ts",
        "shared/src",
        "test/deno/transactions.deno.ts",
        "test/deno/fatal.deno.ts",
      ],
      { cwd: root, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, encoding: "utf8" },
    );
    expect(result.stderr.split("\n").filter((l) => /ERROR|error:/.test(l))).toEqual([]);
    expect(result.status).toBe(0);
  }, 180_000);
});
