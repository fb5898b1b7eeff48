import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contracts } from "@kafka-pair/shared/contracts";
import { declaredTopics } from "@kafka-pair/shared/runtime";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../bench/lib/workers.ts";
import { useAdmin, useNamespace } from "../helpers/kafka.ts";

// The benchmark's machinery, not its speed: `--quick` on two cheap scenarios must produce a
// complete report whose counts agree with what Kafka holds, and leave no topic behind.
const ns = useNamespace();
const out = mkdtempSync(join(tmpdir(), "bench-spec-"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], {
      cwd: repoRoot,
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the report is asserted on, not trusted
let report: any;
let run: Run;

beforeAll(async () => {
  run = await runBench([
    "--quick",
    "--scenarios=client-raw,http-single",
    "--duration=1",
    "--concurrency=8",
    "--size=512",
    "--warmup=1",
    `--namespace=${ns.prefix}`,
    `--out=${out}`,
  ]);
  // A failed run leaves no report: the first test then shows why, instead of a bare ENOENT.
  if (run.code === 0) report = JSON.parse(readFileSync(join(out, "quick.json"), "utf8"));
}, 180_000);

describe("npm run bench -- --quick", () => {
  it("exits 0 and prints the table and the ratios", () => {
    expect(run.code, `${run.stdout.slice(-1000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    expect(run.stdout).toMatch(/^scenario\s+msg\/s\s+MB\/s\s+p50 ms/m);
    expect(run.stdout).toMatch(/^ratios: http-single \/ client-raw = \d+\.\d\d;/m);
    expect(run.stdout).toMatch(/Deno FFI http-single \/ Deno platformatic http-single = \d+\.\d\d \(target ≥ 1\.5/);
  });

  it("reports one row per measured scenario with the options it ran with", () => {
    expect(report.namespace).toBe(ns.prefix);
    expect(report.options).toMatchObject({ quick: true, size: 512, concurrency: 8, durationS: 1 });
    expect(report.results.map((r: { id: string }) => r.id)).toEqual([
      "http-single",
      "deno-ffi http-single",
      "deno-platformatic http-single",
      "client-raw",
      "deno-ffi client-raw",
    ]);
    // The cluster is warmed before the first window; one round unless --rounds says more.
    expect(report.warmup).toMatch(/^the cluster got 2 s of the raw producer's load/);
    for (const row of report.results) {
      expect(row.round).toBe(1);
      expect(row.status).toBe("ok");
      expect(row.messages).toBeGreaterThan(0);
      expect(row.msgsPerS).toBeCloseTo(row.messages / row.elapsedS, 3);
      expect(row.bytes).toBe(row.messages * 512);
      expect(Object.keys(row.cpuS).length).toBeGreaterThan(0);
    }
  });

  it("reports CPU by role: the process under test, the brokers, and the HTTP load generator", () => {
    expect(report.generator).toMatch(/^(wrk|node:http)/);
    // Brokers in containers are not this machine's processes: then their CPU is reported as unknown.
    const localBrokers = report.brokerPids.length > 0;
    for (const row of report.results) {
      expect(row.cpu.edge).toBeGreaterThan(0);
      if (localBrokers) expect(row.cpu.brokers).toBeGreaterThan(0);
      else expect(row.cpu.brokers).toBeNull();
    }
    const single = report.results.find((r: { id: string }) => r.id === "http-single");
    expect(single.cpu.generator).toBeGreaterThan(0);
    expect(single.settings.generator).toBe(
      report.generator.startsWith("wrk") ? "wrk (2 threads)" : "node:http (this process)",
    );
  });

  it("takes latency percentiles from a histogram of every acknowledged message", () => {
    for (const row of report.results) {
      const { count, p50Ms, p95Ms, p99Ms, maxMs } = row.latency;
      expect(count).toBe(row.scenario === "http-single" ? row.messages + row.errors : row.messages);
      expect(p50Ms).toBeGreaterThan(0);
      expect(p50Ms).toBeLessThanOrEqual(p95Ms);
      expect(p95Ms).toBeLessThanOrEqual(p99Ms);
      expect(p99Ms).toBeLessThanOrEqual(maxMs);
    }
  });

  it("counts only what Kafka acknowledged, and the topic's end offsets agree", () => {
    const written = report.results.reduce(
      (sum: number, r: { verified: { actual: number } }) => sum + r.verified.actual,
      0,
    );
    // wrk stops at its deadline with up to one request per connection unanswered: those records may
    // be stored, and are never counted as acknowledged.
    const unanswered = (r: { verified: { unanswered?: number } }) => r.verified.unanswered ?? 0;
    for (const row of report.results) {
      expect(row.errors).toBe(0);
      expect(row.verified).toMatchObject({ ok: true, expected: row.messages });
      expect(row.verified.actual).toBeGreaterThanOrEqual(row.messages);
      expect(row.verified.actual).toBeLessThanOrEqual(row.messages + unanswered(row));
    }
    for (const row of report.results.filter((r: { scenario: string }) => r.scenario === "client-raw"))
      expect(unanswered(row)).toBe(0);
    const acked = report.results.reduce((sum: number, r: { messages: number }) => sum + r.messages, 0);
    expect(written).toBeGreaterThanOrEqual(acked);
  });

  it("writes the chart and the markdown summary", () => {
    const svg = readFileSync(join(out, "quick.svg"), "utf8");
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(">http-single</text>");
    expect(svg).toContain(">client-raw</text>");
    const md = readFileSync(join(out, "quick.md"), "utf8");
    expect(md).toContain("| http-single |");
    expect(md).toContain("## Ratios");
  });

  it("deletes its topics at the end", async () => {
    const admin = await useAdmin();
    // Every topic the contracts declare, dead-letter topics included.
    const left = await admin.describeTopics(declaredTopics(contracts).map((t) => ns.topic(t.logicalName)));
    expect([...left.keys()]).toEqual([]);
  });
});
