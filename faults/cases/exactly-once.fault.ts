import type { AdminTransport } from "@kafka-pair/shared/transport";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { faultBrokers, reportFigures } from "../../test/faults/helpers.ts";
import { runExactlyOnce } from "../../test/helpers/exactly-once.ts";
import { testTransport, useNamespace } from "../../test/helpers/kafka.ts";
import { type PostgresServer, usePostgres } from "../../test/helpers/postgres.ts";
import type { Runtime } from "../../test/helpers/workers.ts";

const RUNS = [
  "handler=0.02",
  "after-store=0.2",
  "in-transaction=0.5",
  "after-transaction=0.5",
  "after-store=1",
  "handler=0.05",
];
const PER_WAVE = 100;
// The suite's own cluster: its brokers are the ones killed, so the workers and clients use it.
const cluster = inject("faultCluster");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const combos: Array<[Runtime, "sqlite" | "postgres"]> = [
  ["node", "sqlite"],
  ["node", "postgres"],
  ["deno", "sqlite"],
  ["deno", "postgres"],
];

// The exactly-once `orders` example on each runtime and store (the spec file's SQLite, or a
// database on a private PostgreSQL server) under kill -9 at random points of six runs, and broker 2
// killed -9 once during the third run (back 15 s later): every order one row and one
// read_committed confirmation.
describe.each(combos)("exactly-once consumer under kill -9 and a broker kill (%s, %s)", (runtime, database) => {
  const ns = useNamespace();
  let admin: AdminTransport;
  let postgres: PostgresServer | undefined;
  beforeAll(async () => {
    admin = testTransport(cluster.bootstrapServers).admin();
    await admin.connect();
    if (database === "postgres") postgres = await usePostgres();
  });
  afterAll(() => admin.disconnect());

  it("stores and confirms each order exactly once", { timeout: 900_000 }, async () => {
    const run = await runExactlyOnce({
      ns,
      admin,
      runtime,
      runs: RUNS,
      perWave: PER_WAVE,
      bootstrapServers: cluster.bootstrapServers,
      ...(postgres ? { env: { DATABASE_URL: await postgres.createDatabase() } } : {}),
      duringRun: async (index) => {
        if (index !== 2) return;
        await sleep(3_000);
        await faultBrokers.kill(2);
        await sleep(15_000);
        await faultBrokers.start(2);
      },
    });
    const rows = run.stored.filter((s) => typeof s === "string").length;
    const distinct = new Set(run.confirmedIds).size;
    reportFigures(`10. exactly-once consumer (${runtime}, ${database}): kill -9 at random points + a broker kill`, {
      acknowledged: run.ids.length,
      readBack: distinct,
      lost: run.ids.filter((id) => !run.confirmedIds.includes(id)).length,
      duplicated: run.confirmedIds.length - distinct,
      rows,
      kills: run.kills.join("; "),
      groupOffsets: run.offsets.join(" "),
    });
    expect(run.kills.length).toBeGreaterThanOrEqual(3);
    expect(run.stored).toEqual(run.ids);
    expect(run.confirmedIds).toHaveLength(run.ids.length);
    expect(new Set(run.confirmedIds)).toEqual(new Set(run.ids));
  });
});
