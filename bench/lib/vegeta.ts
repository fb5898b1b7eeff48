import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type LatencySummary, newHistogram, recordMs, summarize } from "./hist.ts";
import { reapedChildrenCpuSeconds } from "./proc.ts";

/** How to get vegeta (open-loop, constant-rate HTTP load); printed whenever it is missing. */
export const VEGETA_INSTALL = "go install github.com/tsenart/vegeta/v12@latest   # puts vegeta in $(go env GOPATH)/bin";

/** vegeta from $VEGETA, PATH, or Go's default install directory; undefined when there is none. */
export function findVegeta(): string | undefined {
  const candidates = [
    process.env.VEGETA,
    "vegeta",
    join(process.env.GOPATH ?? join(homedir(), "go"), "bin", "vegeta"),
  ].filter((c): c is string => c !== undefined);
  for (const bin of candidates) {
    if (bin.includes("/") && !existsSync(bin)) continue;
    const probe = spawnSync(bin, ["-version"], { encoding: "utf8" });
    if (!probe.error) return bin;
  }
  return undefined;
}

export interface VegetaStep {
  /** Requests vegeta sent and answers it read (it waits for every in-flight answer before exiting). */
  requests: number;
  acked: number;
  refused: number;
  elapsedS: number;
  latency?: LatencySummary;
  /** vegeta's own CPU, attack and decoding of its results apart (decoding is not load). */
  cpuS: number;
  firstRefusal?: string;
}

interface EncodedResult {
  code: number;
  latency: number;
  error: string;
  body: string;
  timestamp: string;
}

/**
 * One open-loop step: `ratePerS` requests per second for `durationS`, whether or not earlier
 * ones were answered (vegeta adds workers as needed). Every answer's body is read and checked.
 */
export async function runVegeta(options: {
  bin: string;
  url: string;
  contentType: string;
  bodies: Array<{ body: string; records: number }>;
  acked: (status: number, body: string, records: number) => number;
  ratePerS: number;
  durationS: number;
  workDir: string;
  name: string;
}): Promise<VegetaStep> {
  const base = join(options.workDir, `vegeta-${options.name.replace(/[^a-z0-9-]/gi, "_")}`);
  const targets = `${base}.targets.ndjson`;
  writeFileSync(
    targets,
    options.bodies
      .map((b) =>
        JSON.stringify({
          method: "POST",
          url: options.url,
          header: { "Content-Type": [options.contentType] },
          body: Buffer.from(b.body).toString("base64"),
        }),
      )
      .join("\n"),
  );
  const results = `${base}.bin`;
  const cpu0 = reapedChildrenCpuSeconds();
  await run(options.bin, [
    "attack",
    "-format=json",
    `-targets=${targets}`,
    `-rate=${Math.max(1, Math.round(options.ratePerS))}/1s`,
    `-duration=${options.durationS}s`,
    "-timeout=30s",
    `-output=${results}`,
  ]);
  const cpuS = reapedChildrenCpuSeconds() - cpu0;
  const encoded = await run(options.bin, ["encode", "--to=json", results]);
  const histogram = newHistogram();
  const records = options.bodies[0]?.records ?? 1;
  let acked = 0;
  let refused = 0;
  let requests = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let firstRefusal: string | undefined;
  for (const line of encoded.split("\n")) {
    if (!line.startsWith("{")) continue;
    const r = JSON.parse(line) as EncodedResult;
    requests++;
    const body = Buffer.from(r.body ?? "", "base64").toString("utf8");
    const ok = r.code === 0 ? 0 : options.acked(r.code, body, records);
    acked += ok;
    refused += records - ok;
    if (ok < records) firstRefusal ??= `${r.code} ${r.error || body.slice(0, 200)}`;
    recordMs(histogram, r.latency / 1e6);
    const sentAt = Date.parse(r.timestamp);
    first = Math.min(first, sentAt);
    last = Math.max(last, sentAt + r.latency / 1e6);
  }
  return {
    requests,
    acked,
    refused,
    elapsedS: requests > 0 ? (last - first) / 1000 : options.durationS,
    latency: requests > 0 ? summarize(histogram) : undefined,
    cpuS,
    firstRefusal,
  };
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("utf8"))
        : reject(new Error(`vegeta ${args[0]} exited ${code}: ${err.slice(-300)}`)),
    );
  });
}
