import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_HANDLERS } from "../helpers/consumer.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, useNamespace } from "../helpers/kafka.ts";
import { produceTransaction, type RawRecord } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

const orders = (ids: string[]): RawRecord[] =>
  ids.map((orderId) => ({ key: orderId, value: JSON.stringify(anOrder({ orderId })) }));

// read_committed: what an aborted transaction wrote never reaches a handler.
describe("consumer and transactions", () => {
  const ns = useNamespace();
  let consumer: Worker;
  beforeAll(async () => {
    consumer = await startWorker("consumer", { KAFKA_NAMESPACE: ns.prefix, CONSUMER_HANDLERS: TEST_HANDLERS });
  });

  const handledIds = () => new Set(consumer.logs.filter((l) => l.msg === "handling").map((l) => l.orderId));

  it("never delivers the events of an aborted transaction, and delivers the committed one after it", async () => {
    const aborted = Array.from({ length: 6 }, () => randomUUID());
    const committed = Array.from({ length: 6 }, () => randomUUID());
    await produceTransaction(ns.topic("orders"), orders(aborted), "abort");
    await produceTransaction(ns.topic("orders"), orders(committed), "commit");

    await eventually(() => (committed.every((id) => handledIds().has(id)) ? true : undefined), 30_000, "committed");
    const seen = handledIds();
    expect(aborted.filter((id) => seen.has(id))).toEqual([]);
  });
});
