import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { runExactlyOnce } from "../helpers/exactly-once.ts";
import { useAdmin, useNamespace } from "../helpers/kafka.ts";
import type { Runtime } from "../helpers/workers.ts";

/**
 * One consumer run per wave of 60 orders, each killed from inside with SIGKILL at a point
 * CONSUMER_CRASH_AT names (the odds make the place in the stream random): in the handler, between
 * the database commit and Kafka's, inside an open Kafka transaction, right after it; then a last
 * run with no crash.
 */
const RUNS = ["handler=0.03", "after-store=1", "in-transaction=1", "after-transaction=1", "after-store=0.05"];
const PER_WAVE = 60;

// The shipped `orders` subscription is exactly-once with the worker's database (the spec file's
// SQLite): each order stored once in `orders` and confirmed once on orders.confirmed, whatever the
// kills, as read_committed readers see it.
describe.each(["node", "deno"] as Runtime[])("exactly-once orders under kill -9 (%s)", (runtime) => {
  const ns = useNamespace();
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
  });

  it("stores and confirms every order exactly once and ends with the group's offsets at the end", {
    timeout: 400_000,
  }, async () => {
    const run = await runExactlyOnce({ ns, admin, runtime, runs: RUNS, perWave: PER_WAVE });
    const n = run.ids.length;
    console.log(
      `[exactly-once ${runtime}] N=${n}, kills: ${run.kills.join("; ")}; rows ${run.stored.filter((s) => typeof s === "string").length}; confirmed ${run.confirmedIds.length}, distinct ${new Set(run.confirmedIds).size}`,
    );
    expect(run.kills.length).toBeGreaterThanOrEqual(3);
    expect(run.stored).toEqual(run.ids);
    expect(run.confirmedIds).toHaveLength(n);
    expect(new Set(run.confirmedIds)).toEqual(new Set(run.ids));
  });
});
