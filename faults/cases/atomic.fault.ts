import { randomUUID } from "node:crypto";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readBack, reportFigures } from "../../test/faults/helpers.ts";
import { anOrder } from "../../test/helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../../test/helpers/kafka.ts";
import { startWorker } from "../../test/helpers/workers.ts";

const BATCH = 20;
const ROUNDS = 3;

async function sum(offsets: Promise<Map<number, string>>): Promise<bigint> {
  let total = 0n;
  for (const o of (await offsets).values()) total += BigInt(o);
  return total;
}

// kill -9 of the producer while it runs Kafka transactions: a read_committed reader sees each
// atomic batch whole or not at all. Runs on the shared cluster: only the producer process dies.
describe("producer kill -9 during atomic batches", () => {
  const ns = useNamespace();
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
  });

  it("leaves every batch whole or absent for read_committed readers, and every acknowledged batch whole", {
    timeout: 600_000,
  }, async () => {
    const env = { KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" };
    const acked = new Set<string>();
    const answered: number[] = [];
    let sent = 0;
    const postBatch = async (url: string) => {
      // Every order of a batch carries the batch's id as its customer, to regroup them when read back.
      const batch = `batch-${randomUUID()}`;
      sent++;
      const res = await fetch(`${url}/topics/orders?atomic=true`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: BATCH }, () => anOrder({ customerId: batch }))),
      });
      await res.arrayBuffer();
      answered.push(res.status);
      if (res.status === 201) acked.add(batch);
    };
    // Several rounds: a producer takes batches from 8 clients and is killed -9 the moment the log
    // holds records of a transaction not yet committed (end offset past the last stable offset).
    const topic = ns.topic("orders");
    const openTransaction = async () =>
      (await sum(admin.endOffsets(topic))) > (await sum(admin.endOffsets(topic, "read_committed")));
    let killedAt = 0;
    let killsInsideOpenTransaction = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const producer = await startWorker("producer", env);
      let stop = false;
      const clients = Array.from({ length: 8 }, async () => {
        while (!stop) {
          try {
            await postBatch(producer.url);
          } catch {
            return; // the producer is gone
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const deadline = Date.now() + 20_000;
      let open = false;
      while (!open && Date.now() < deadline) open = await openTransaction();
      if (open) killsInsideOpenTransaction++;
      await producer.stop("SIGKILL");
      killedAt = Date.now();
      stop = true;
      await Promise.all(clients);
    }

    // A new producer instance takes over at once; its batches commit, but read_committed readers
    // only get past a dead instance's open transaction once the coordinator aborts it.
    const second = await startWorker("producer", env);
    await postBatch(second.url);
    expect(answered.at(-1)).toBe(201);

    await eventually(
      async () =>
        (await sum(admin.endOffsets(topic, "read_committed"))) === (await sum(admin.endOffsets(topic)))
          ? true
          : undefined,
      180_000,
      "the dead producer's open transaction to be aborted",
    );
    const msUntilAborted = Date.now() - killedAt;

    const byBatch = (records: Array<{ value: string }>) => {
      const sizes = new Map<string, number>();
      for (const r of records) {
        const batch = (JSON.parse(r.value) as { customerId: string }).customerId;
        sizes.set(batch, (sizes.get(batch) ?? 0) + 1);
      }
      return sizes;
    };
    const committed = byBatch(
      (await readBack(inject("bootstrapServers"), topic, { until: (r) => r.records.length >= acked.size * BATCH }))
        .records,
    );
    const everything = byBatch(
      (
        await readBack(inject("bootstrapServers"), topic, {
          isolation: "read_uncommitted",
          until: (r) => r.records.length >= acked.size * BATCH,
        })
      ).records,
    );
    const partial = [...committed].filter(([, n]) => n !== BATCH);
    const lost = [...acked].filter((b) => committed.get(b) !== BATCH);
    const abortedInLog = [...everything.keys()].filter((b) => !committed.has(b));
    reportFigures("5. producer kill -9 inside open transactions (3 kills, atomic batches of 20)", {
      acknowledged: acked.size,
      readBack: [...acked].filter((b) => committed.get(b) === BATCH).length,
      lost: lost.length,
      duplicated: [...committed.values()].filter((n) => n > BATCH).length,
      batchesSent: sent,
      batchesVisibleWhole: [...committed.values()].filter((n) => n === BATCH).length,
      batchesVisiblePartially: partial.length,
      batchesCommittedButUnanswered: [...committed.keys()].filter((b) => !acked.has(b)).length,
      killsInsideOpenTransaction,
      batchesAbortedInLog: abortedInLog.length,
      msFromLastKillUntilReadCommittedUnblocked: msUntilAborted,
    });
    expect(partial).toEqual([]);
    expect(lost).toEqual([]);
    expect(answered.filter((s) => s !== 201)).toEqual([]);
  });
});
