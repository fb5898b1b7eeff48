import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// Schemathesis (PyPI) holds the real producer to its OpenAPI document: every check, a bounded
// number of examples per operation, a fixed seed so a failure replays. Any failure fails the build.
const SCHEMATHESIS_VERSION = "4.32.5";
const root = join(import.meta.dirname, "../..");
const venv = join(root, ".venv-schemathesis");
const bin = join(venv, "bin", "schemathesis");
const MAX_EXAMPLES = "40";
const SEED = "14";

/** A repo-local, git-ignored venv with the pinned Schemathesis, made when missing. */
function ensureSchemathesis(): void {
  const installed =
    existsSync(bin) && spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.includes(SCHEMATHESIS_VERSION);
  if (installed) return;
  const made = spawnSync("python3", ["-m", "venv", "--clear", venv], { encoding: "utf8" });
  if (made.status !== 0) {
    throw new Error(`python3 -m venv failed (on Debian: apt-get install python3-venv): ${made.stderr}`);
  }
  execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", `schemathesis==${SCHEMATHESIS_VERSION}`], {
    stdio: "inherit",
  });
}

describe("the producer against its OpenAPI document (Schemathesis)", () => {
  const ns = useNamespace();
  let producer: Worker;
  beforeAll(async () => {
    ensureSchemathesis();
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" });
  }, 600_000);

  it("finds no failure with every check on", () => {
    const run = spawnSync(
      bin,
      [
        "--config-file",
        join(import.meta.dirname, "schemathesis.toml"),
        "run",
        `${producer.url}/openapi.json`,
        "--checks",
        "all",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 540_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    // The summary's last lines say what ran; the failures above them say what broke.
    if (run.status !== 0) console.error(output.slice(-20_000));
    else console.log(/Test cases:\s+[^\n]+/.exec(output)?.[0]);
    expect(output).toMatch(/Test cases:\s+\d+ generated/);
    expect(run.status, "schemathesis exit status (its output is above)").toBe(0);
  }, 600_000);
});
