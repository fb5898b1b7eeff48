import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { useNamespace } from "../helpers/kafka.ts";
import { denoBin, denoPermissions } from "../helpers/workers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Report {
  topic: string;
  partition: number;
  offset: string;
}

interface Outcome {
  committed: Report[];
  abortedReports: Report[];
  abortError?: { code: string; message: string };
  after: Report;
  seen: string[];
  groupOffsets: Record<string, string>;
  endUncommitted: Record<string, string>;
}

function runUnderDeno(script: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(denoBin, ["run", ...denoPermissions, script], {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("exit", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith('{"committed"'));
      if (code !== 0 || !line) reject(new Error(`deno exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line) as Outcome);
    });
  });
}

// Each Deno adapter, below the HTTP edge: a committed transaction is seen by a read_committed
// reader, an aborted one is not, although its records reached the log.
describe.each([
  { adapter: "rdkafka-ffi", transport: "confluent" },
  { adapter: "platformatic", transport: "platformatic" },
])("transactions on Deno ($adapter adapter)", ({ transport }) => {
  const ns = useNamespace();
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await runUnderDeno("test/deno/transactions.deno.ts", {
      TRANSPORT: transport,
      KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
      TOPIC: ns.topic("tx-probe"),
      GROUP: ns.group("tx-reader"),
    });
  }, 120_000);

  it("acknowledges each record of a committed transaction with its own offset", () => {
    expect(outcome.committed).toHaveLength(3);
    const coordinates = new Set(outcome.committed.map((r) => `${r.partition}:${r.offset}`));
    expect(coordinates.size).toBe(3);
  });

  it("writes the records of an aborted transaction, then reports the abort", () => {
    expect(outcome.abortedReports).toHaveLength(2);
    expect(outcome.abortError?.code).toBe("TRANSACTION_ABORTED");
  });

  it("shows a read_committed consumer the committed records only", () => {
    expect([...outcome.seen].sort()).toEqual(["after-abort", "committed-1", "committed-2", "committed-3"]);
  });

  it("commits the consumer's offsets past the last record of each partition it read", () => {
    const lastRead = new Map<number, bigint>();
    for (const r of [...outcome.committed, outcome.after]) {
      lastRead.set(
        r.partition,
        BigInt(r.offset) > (lastRead.get(r.partition) ?? -1n) ? BigInt(r.offset) : (lastRead.get(r.partition) ?? -1n),
      );
    }
    for (const [partition, offset] of lastRead) {
      expect(BigInt(outcome.groupOffsets[partition] ?? "-1")).toBeGreaterThan(offset);
    }
  });
});
