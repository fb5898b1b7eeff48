import { describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.ts";
import { until } from "../../testing.ts";
import { fakeLayer, nativeError } from "./fake-native.ts";
import { LibrdkafkaProducer } from "./producer.ts";

const options = {
  connection: { bootstrapServers: "b:9092", clientId: "edge", security: {} },
  logger: createLogger("test", "silent"),
  deliveryTimeoutMs: 10_000,
  lingerMs: 5,
  maxQueuedMessages: 1_000,
};
const record = (value: string, headers?: Record<string, string>) => ({
  topic: "t",
  key: "k",
  value: new TextEncoder().encode(value),
  ...(headers ? { headers } : {}),
});
const stats = (up: number, known = 3) =>
  JSON.stringify({
    brokers: Object.fromEntries(
      Array.from({ length: known }, (_, i) => [`b${i}:9092/${i}`, { nodeid: i, state: i < up ? "UP" : "DOWN" }]),
    ),
  });

async function connected() {
  const fake = fakeLayer();
  const producer = new LibrdkafkaProducer(fake.layer, options);
  await producer.connect();
  const main = fake.producers[0];
  if (!main) throw new Error("no native producer");
  return { producer, main, ...fake };
}

describe("librdkafka core: producer configuration", () => {
  it("opens an idempotent acks=all producer with murmur2 keys and statistics", async () => {
    const { main } = await connected();
    expect(main.properties).toMatchObject({
      "bootstrap.servers": "b:9092",
      "client.id": "edge",
      "enable.idempotence": true,
      acks: -1,
      "delivery.timeout.ms": 10_000,
      "linger.ms": 5,
      partitioner: "murmur2_random",
      "queue.buffering.max.messages": 1_000,
      "statistics.interval.ms": 1000,
      "enable.sparse.connections": false,
    });
    expect(main.properties["transactional.id"]).toBeUndefined();
  });
});

describe("librdkafka core: producer supervisor", () => {
  it("answers with the delivery report and hands repeated header values over encoded once", async () => {
    const { producer, main } = await connected();
    expect(await producer.send(record("a", { ce_type: "order", ce_id: "1" }))).toMatchObject({ offset: "0" });
    await producer.send(record("b", { ce_type: "order", ce_id: "2" }));
    expect(main.produced[1]?.headers).toEqual([
      { name: "ce_type", value: "order", repeated: true },
      { name: "ce_id", value: "2", repeated: false },
    ]);
  });

  it("is ready from its statistics: a majority of brokers up", async () => {
    const { producer, main } = await connected();
    // Before the first statistics, the successful connect counts.
    expect(producer.isReady()).toBe(true);
    main.events.stats(stats(1));
    expect(producer.isReady()).toBe(false);
    await expect(producer.send(record("x"))).rejects.toMatchObject({ code: "KAFKA_UNAVAILABLE" });
    main.events.stats(stats(2));
    expect(producer.isReady()).toBe(true);
    expect(producer.stats()).toMatchObject({ brokersUp: 2 });
    main.events.error({ code: -187, message: "all brokers down", fatal: false });
    expect(producer.stats()?.brokersUp).toBe(0);
  });

  it("replaces a handle that reported a fatal error, at once, and is not ready meanwhile", async () => {
    const { producer, main, producers } = await connected();
    main.events.error({ code: -150, message: "out of order sequence", fatal: true });
    expect(producer.isReady()).toBe(false);
    await until(() => producers.length === 2 && producer.isReady(), "a fresh handle");
    expect(main.closed).toBe(true);
    await producer.send(record("after"));
    expect(producers[1]?.produced).toHaveLength(1);
    expect(main.produced).toHaveLength(0);
  });

  it("says KAFKA_UNAVAILABLE when the cluster does not answer at connect, and frees the handle", async () => {
    const { layer, producers } = fakeLayer((p) => p.failures.set("connect", [new Error("timed out")]));
    const producer = new LibrdkafkaProducer(layer, options);
    await expect(producer.connect()).rejects.toMatchObject({ code: "KAFKA_UNAVAILABLE" });
    expect(producers[0]?.closed).toBe(true);
    expect(producer.isReady()).toBe(false);
  });
});

describe("librdkafka core: transactions", () => {
  it("runs a transaction on its own transactional handle: init once, begin, send, commit", async () => {
    const { producer, producers } = await connected();
    const reports = await producer.transaction((tx) => Promise.all([tx.send(record("a")), tx.send(record("b"))]));
    await producer.transaction((tx) => tx.send(record("c")));
    expect(reports).toHaveLength(2);
    const tx = producers[1];
    expect(tx?.properties["transactional.id"]).toMatch(/^edge-/);
    expect(tx?.calls.filter((c) => c !== "produce")).toEqual([
      "connect",
      "initTransactions",
      "beginTransaction",
      "commitTransaction",
      "beginTransaction",
      "commitTransaction",
    ]);
  });

  it("aborts when the work throws, and says TRANSACTION_ABORTED", async () => {
    const { producer, producers } = await connected();
    await expect(
      producer.transaction(async (tx) => {
        await tx.send(record("a"));
        throw new Error("changed its mind");
      }),
    ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED" });
    expect(producers[1]?.calls.at(-1)).toBe("abortTransaction");
  });

  it("retries a commit librdkafka calls retriable, and commits", async () => {
    const { producer, producers } = await connected();
    await producer.transaction((tx) => tx.send(record("warm-up")));
    const tx = producers[1];
    tx?.failures.set("commitTransaction", [nativeError({ retriable: true }), nativeError({ retriable: true })]);
    await producer.transaction((t) => t.send(record("a")));
    expect(tx?.calls.filter((c) => c === "commitTransaction")).toHaveLength(4);
    expect(tx?.calls).not.toContain("abortTransaction");
  });

  it("aborts on an abortable commit error, and keeps the handle", async () => {
    const { producer, producers } = await connected();
    await producer.transaction((tx) => tx.send(record("warm-up")));
    producers[1]?.failures.set("commitTransaction", [nativeError({ txnRequiresAbort: true })]);
    await expect(producer.transaction((t) => t.send(record("a")))).rejects.toMatchObject({
      code: "TRANSACTION_ABORTED",
    });
    await producer.transaction((t) => t.send(record("b")));
    expect(producers).toHaveLength(2);
    expect(producers[1]?.calls.filter((c) => c === "abortTransaction")).toHaveLength(1);
  });

  it("retires the transactional handle after a fatal commit error, and opens a new one next time", async () => {
    const { producer, producers } = await connected();
    await producer.transaction((tx) => tx.send(record("warm-up")));
    producers[1]?.failures.set("commitTransaction", [nativeError({ fatal: true, retriable: true })]);
    await expect(producer.transaction((t) => t.send(record("a")))).rejects.toMatchObject({
      code: "TRANSACTION_ABORTED",
    });
    await producer.transaction((t) => t.send(record("b")));
    expect(producers).toHaveLength(3);
    expect(producers[1]?.closed).toBe(true);
    expect(producers[1]?.calls.filter((c) => c === "commitTransaction")).toHaveLength(2);
  });

  it("retires the handle when an abort fails", async () => {
    const { producer, producers } = await connected();
    await producer.transaction((tx) => tx.send(record("warm-up")));
    producers[1]?.failures.set("abortTransaction", [nativeError({})]);
    await expect(producer.transaction(() => Promise.reject(new Error("work failed")))).rejects.toMatchObject({
      code: "TRANSACTION_ABORTED",
    });
    await producer.transaction((t) => t.send(record("b")));
    expect(producers).toHaveLength(3);
  });

  it("runs transactions one after another", async () => {
    const { producer, producers } = await connected();
    const order: string[] = [];
    let release!: () => void;
    const first = producer.transaction(async (tx) => {
      order.push("first begins");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await tx.send(record("1"));
      order.push("first ends");
    });
    const second = producer.transaction(async () => {
      order.push("second begins");
    });
    await until(() => order.length === 1 && release !== undefined, "the first in its work");
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first begins", "first ends", "second begins"]);
    expect(producers).toHaveLength(2);
  });
});
