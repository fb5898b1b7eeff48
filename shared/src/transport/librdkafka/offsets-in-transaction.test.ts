// The core's consume-transform-produce: offsets sent into a transaction with the consumer's group
// metadata (KIP-447), under the same retriable/abortable/fatal rules as the commit.
import { describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.ts";
import { LibrdkafkaConsumer } from "./consumer.ts";
import { fakeLayer, nativeError } from "./fake-native.ts";
import { LibrdkafkaProducer } from "./producer.ts";

const options = {
  connection: { bootstrapServers: "b:9092", clientId: "worker", security: {} },
  logger: createLogger("test", "silent"),
  deliveryTimeoutMs: 10_000,
  lingerMs: 5,
};
const record = { topic: "out", key: "k", value: new TextEncoder().encode("v") };
const at = (offset: string) => [{ topic: "in", partition: 0, offset }];

async function pair() {
  const fake = fakeLayer();
  const producer = new LibrdkafkaProducer(fake.layer, options);
  await producer.connect();
  const consumer = new LibrdkafkaConsumer(fake.layer, options, { groupId: "g", topics: ["in"], fromBeginning: true });
  await consumer.connect();
  return { producer, consumer, ...fake };
}

describe("librdkafka core: offsets in a transaction", () => {
  it("sends the offsets with the consumer's own handle, between the records and the commit", async () => {
    const { producer, consumer, producers, consumers } = await pair();
    expect(consumer.groupMetadata().groupId).toBe("g");
    await producer.transaction(async (tx) => {
      await tx.send(record);
      await tx.sendOffsets(at("5"), consumer.groupMetadata());
    });
    const tx = producers[1];
    expect(tx?.calls).toEqual([
      "connect",
      "initTransactions",
      "beginTransaction",
      "produce",
      "sendOffsets",
      "commitTransaction",
    ]);
    expect(tx?.sentOffsets).toEqual([{ positions: at("5"), consumer: consumers[0] }]);
  });

  it("opens transactional handles with a transaction timeout no longer than needed, nor below the delivery timeout", async () => {
    const { producer, producers } = await pair();
    await producer.transaction(async () => {});
    expect(producers[1]?.properties["transaction.timeout.ms"]).toBe(10_000);
    expect(producers[0]?.properties["transaction.timeout.ms"]).toBeUndefined();
  });

  it("retries an offset send librdkafka calls retriable", async () => {
    const { producer, consumer, producers } = await pair();
    await producer.transaction(async () => {});
    producers[1]?.failures.set("sendOffsets", [nativeError({ retriable: true })]);
    await producer.transaction((tx) => tx.sendOffsets(at("1"), consumer.groupMetadata()));
    expect(producers[1]?.calls.filter((c) => c === "sendOffsets")).toHaveLength(2);
    expect(producers[1]?.calls).not.toContain("abortTransaction");
  });

  it("aborts on an abortable offset send (a fenced member), so neither records nor offsets commit", async () => {
    const { producer, consumer, producers } = await pair();
    await producer.transaction(async () => {});
    producers[1]?.failures.set("sendOffsets", [nativeError({ txnRequiresAbort: true })]);
    await expect(
      producer.transaction(async (tx) => {
        await tx.send(record);
        await tx.sendOffsets(at("1"), consumer.groupMetadata());
      }),
    ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED" });
    // Only the warm-up transaction committed.
    expect(producers[1]?.calls.slice(-4)).toEqual(["beginTransaction", "produce", "sendOffsets", "abortTransaction"]);
    expect(producers[1]?.calls.filter((c) => c === "commitTransaction")).toHaveLength(1);
  });

  it("retires the transactional handle after a fatal offset send", async () => {
    const { producer, consumer, producers } = await pair();
    await producer.transaction(async () => {});
    producers[1]?.failures.set("sendOffsets", [nativeError({ fatal: true })]);
    await expect(producer.transaction((tx) => tx.sendOffsets(at("1"), consumer.groupMetadata()))).rejects.toThrow();
    await producer.transaction(async () => {});
    expect(producers).toHaveLength(3);
    expect(producers[1]?.closed).toBe(true);
  });

  it("refuses group metadata that is not a librdkafka consumer's, and aborts", async () => {
    const { producer, producers } = await pair();
    await expect(producer.transaction((tx) => tx.sendOffsets(at("1"), { groupId: "g" }))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    expect(producers[1]?.calls).toContain("abortTransaction");
  });

  it("has no group metadata before connect", () => {
    const { layer } = fakeLayer();
    const consumer = new LibrdkafkaConsumer(layer, options, { groupId: "g", topics: ["in"], fromBeginning: true });
    expect(() => consumer.groupMetadata()).toThrow(/not connected/);
  });
});
