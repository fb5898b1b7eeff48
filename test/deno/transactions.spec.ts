import { beforeAll, describe, expect, inject, it } from "vitest";
import { useNamespace } from "../helpers/kafka.ts";
import { runDenoScript } from "../helpers/workers.ts";

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

// Each Deno adapter, below the HTTP edge: a committed transaction is seen by a read_committed
// reader, an aborted one is not, although its records reached the log.
describe.each([
  { adapter: "rdkafka-ffi", transport: "confluent" },
  { adapter: "platformatic", transport: "platformatic" },
])("transactions on Deno ($adapter adapter)", ({ transport }) => {
  const ns = useNamespace();
  let outcome: Outcome;
  beforeAll(async () => {
    ({ outcome } = await runDenoScript<Outcome>(
      "test/deno/transactions.deno.ts",
      {
        TRANSPORT: transport,
        KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
        TOPIC: ns.topic("tx-probe"),
        GROUP: ns.group("tx-reader"),
      },
      "committed",
    ));
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
