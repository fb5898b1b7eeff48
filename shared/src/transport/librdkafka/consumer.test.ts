import { describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.ts";
import { until } from "../../testing.ts";
import type { ConsumedMessage, TopicPartition } from "../consumer.ts";
import { groupProperties } from "./config.ts";
import { LibrdkafkaConsumer } from "./consumer.ts";
import { fakeLayer } from "./fake-native.ts";

const options = {
  connection: { bootstrapServers: "b:9092", clientId: "c", security: { "security.protocol": "plaintext" } },
  logger: createLogger("test", "silent"),
  deliveryTimeoutMs: 10_000,
  lingerMs: 5,
};
const p0: TopicPartition = { topic: "t", partition: 0 };
const p1: TopicPartition = { topic: "t", partition: 1 };
const text = (m: ConsumedMessage) => new TextDecoder().decode(m.value ?? new Uint8Array());

/** A started consumer on the fake layer; `handle` decides what each message's handler does. */
async function started(handle: (m: ConsumedMessage) => Promise<void> = async () => {}, maxBuffered = 500) {
  const { layer, consumers } = fakeLayer();
  const consumer = new LibrdkafkaConsumer(layer, options, {
    groupId: "g",
    topics: ["t"],
    fromBeginning: true,
    maxBufferedPerPartition: maxBuffered,
    revokeTimeoutMs: 1_000,
  });
  const events: string[] = [];
  consumer.onRebalance({
    onAssign: (ps) => events.push(`assign ${ps.map((p) => p.partition)}`),
    onRevoke: async (ps, { lost }) => {
      events.push(`revoke ${ps.map((p) => p.partition)}${lost ? " lost" : ""}`);
    },
  });
  await consumer.connect();
  const seen: ConsumedMessage[] = [];
  await consumer.run(async (m) => {
    seen.push(m);
    await handle(m);
  });
  const native = consumers[0];
  if (!native) throw new Error("no native consumer");
  return { consumer, native, seen, events };
}

describe("librdkafka core: consumer configuration", () => {
  it("asks for a read_committed, cooperative-sticky member with manual commits", async () => {
    const { native } = await started();
    expect(native.properties).toMatchObject({
      "bootstrap.servers": "b:9092",
      "group.id": "g",
      "isolation.level": "read_committed",
      "partition.assignment.strategy": "cooperative-sticky",
      "enable.auto.commit": false,
      "enable.auto.offset.store": false,
      "auto.offset.reset": "earliest",
      "security.protocol": "plaintext",
    });
    expect(native.topics).toEqual(["t"]);
  });
});

describe("librdkafka core: group protocol", () => {
  it("classic: client-side cooperative-sticky, the classic liveness settings when given, no group.protocol", () => {
    expect(groupProperties()).toEqual({ "partition.assignment.strategy": "cooperative-sticky" });
    expect(groupProperties({ protocol: "classic", sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 })).toEqual({
      "partition.assignment.strategy": "cooperative-sticky",
      "session.timeout.ms": 10_000,
      "heartbeat.interval.ms": 1_000,
    });
  });

  it("consumer (KIP-848): group.protocol=consumer, none of the settings it forbids", async () => {
    const { layer, consumers } = fakeLayer();
    const consumer = new LibrdkafkaConsumer(
      layer,
      { ...options, group: { protocol: "consumer", remoteAssignor: "uniform" } },
      { groupId: "g", topics: ["t"], fromBeginning: true },
    );
    await consumer.connect();
    const properties = consumers[0]?.properties ?? {};
    expect(properties).toMatchObject({ "group.protocol": "consumer", "group.remote.assignor": "uniform" });
    for (const forbidden of ["partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms"])
      expect(properties).not.toHaveProperty([forbidden]);
  });
});

describe("librdkafka core: partition queues", () => {
  it("hands each partition's messages over in order, partitions side by side", async () => {
    const { native, seen } = await started();
    await native.sink.rebalance({ kind: "assign", partitions: [p0, p1] });
    native.deliver(p0, [0, 1, 2]);
    native.deliver(p1, [7, 8]);
    await until(() => seen.length === 5, "five messages");
    const offsets = (p: number) => seen.filter((m) => m.partition === p).map((m) => m.offset);
    expect(offsets(0)).toEqual(["0", "1", "2"]);
    expect(offsets(1)).toEqual(["7", "8"]);
    expect(native.calls).toContainEqual(["assign", ["t:0", "t:1"], true]);
  });

  it("drops a message refetched after pause/resume, and messages of partitions it does not hold", async () => {
    const { native, seen } = await started();
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    native.deliver(p0, [0, 1]);
    native.deliver(p0, [1, 2]);
    native.deliver(p1, [0]);
    await until(() => seen.length === 3, "three messages");
    expect(seen.map((m) => `${m.partition}:${m.offset}`)).toEqual(["0:0", "0:1", "0:2"]);
  });

  it("pauses a partition whose queue is full and resumes it at half", async () => {
    const gates: Array<() => void> = [];
    const { native, seen } = await started(() => new Promise<void>((resolve) => gates.push(resolve)), 4);
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    native.deliver(p0, [0, 1, 2, 3, 4]);
    await until(() => seen.length === 1, "first in hand");
    // 0 in hand, 1-4 queued: the queue is full.
    expect(native.paused.has("t:0")).toBe(true);
    // Resumed once a handled message leaves the queue at half (2) or less.
    for (const inHand of [2, 3]) {
      gates.shift()?.();
      await until(() => seen.length === inHand, `message ${inHand - 1} in hand`);
      expect(native.paused.has("t:0")).toBe(true);
    }
    gates.shift()?.();
    await until(() => seen.length === 4, "message 3 in hand");
    expect(native.paused.has("t:0")).toBe(false);
    for (const open of gates.splice(0)) open();
  });

  it("starts a partition over from a message whose handler failed (seek), never skipping it", async () => {
    let failures = 1;
    const { native, seen } = await started(async (m) => {
      if (m.offset === "1" && failures-- > 0) throw new Error("not now");
    });
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    native.deliver(p0, [0, 1, 2]);
    await until(() => native.calls.some(([name]) => name === "seek"), "the seek");
    expect(native.calls).toContainEqual(["seek", "t:0", 1]);
    // librdkafka fetches again from 1: the core takes 1 again although it had queued it before.
    native.deliver(p0, [1, 2]);
    await until(() => seen.length === 4, "1 and 2 after the seek");
    expect(seen.map((m) => m.offset)).toEqual(["0", "1", "1", "2"]);
  });
});

describe("librdkafka core: positions", () => {
  it("answers librdkafka's position (past a transaction marker) once nothing fetched waits unhandled", async () => {
    const gates: Array<() => void> = [];
    const { consumer, native, seen } = await started(() => new Promise<void>((resolve) => gates.push(resolve)));
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    // Offsets 0 and 1 delivered; 2 is a commit marker librdkafka stepped over.
    native.positionOf.set("t:0", 3);
    native.deliver(p0, [0, 1]);
    await until(() => seen.length === 1, "first in hand");
    // 1 still queued: a position past it would run ahead of what was handled.
    expect(consumer.position(p0)).toBeUndefined();
    gates.shift()?.();
    await until(() => seen.length === 2, "second in hand");
    expect(consumer.position(p0)).toBe("3");
    gates.shift()?.();
  });

  it("forgets the position on a seek, and knows none for a partition it does not hold", async () => {
    let fail = true;
    const { consumer, native } = await started(async () => {
      if (fail) {
        fail = false;
        throw new Error("once");
      }
    });
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    native.positionOf.set("t:0", 1);
    native.deliver(p0, [0]);
    await until(() => native.calls.some(([name]) => name === "seek"), "the seek");
    expect(consumer.position(p0)).toBeUndefined();
    expect(consumer.position(p1)).toBeUndefined();
  });
});

describe("librdkafka core: rebalances", () => {
  it("on revocation lets the message in hand finish, calls onRevoke, then gives the partition back", async () => {
    let release!: () => void;
    const { consumer, native, seen, events } = await started(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    await native.sink.rebalance({ kind: "assign", partitions: [p0, p1] });
    native.deliver(p0, [0, 1]);
    await until(() => seen.length === 1, "first in hand");
    const revoked = native.sink.rebalance({ kind: "revoke", partitions: [p0] });
    await until(() => seen[0]?.signal?.aborted === true, "the handler's signal aborted");
    expect(events).toEqual(["assign 0,1"]);
    expect(native.calls.some(([name]) => name === "unassign")).toBe(false);
    release();
    await revoked;
    expect(events).toEqual(["assign 0,1", "revoke 0"]);
    expect(native.calls.at(-1)).toEqual(["unassign", ["t:0"], true]);
    // The queued message was dropped: the next owner reads it from the committed offset.
    expect(seen.map((m) => text(m))).toHaveLength(1);
    expect(consumer.assignment()).toEqual([p1]);
  });

  it("says when an assignment was lost, and uses eager assign/unassign when the group is eager", async () => {
    const { native, events } = await started();
    native.cooperativeProtocol = false;
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    native.lost = true;
    await native.sink.rebalance({ kind: "revoke", partitions: [p0] });
    expect(events).toEqual(["assign 0", "revoke 0 lost"]);
    expect(native.calls).toContainEqual(["assign", ["t:0"], false]);
    expect(native.calls).toContainEqual(["unassign", ["t:0"], false]);
  });

  it("handles rebalance events one after the other, in order", async () => {
    const { native, events } = await started();
    const first = native.sink.rebalance({ kind: "assign", partitions: [p0, p1] });
    const second = native.sink.rebalance({ kind: "revoke", partitions: [p1] });
    await Promise.all([first, second]);
    expect(events).toEqual(["assign 0,1", "revoke 1"]);
  });

  it("on disconnect finishes and releases what it holds, then closes; the close's own revocations do not call onRevoke again", async () => {
    const { consumer, native, events } = await started();
    await native.sink.rebalance({ kind: "assign", partitions: [p0] });
    await consumer.disconnect();
    await native.sink.rebalance({ kind: "revoke", partitions: [p0] });
    expect(events).toEqual(["assign 0", "revoke 0"]);
    expect(native.calls.at(-2)).toEqual(["close"]);
    expect(consumer.isJoined()).toBe(false);
  });
});

describe("librdkafka core: commits", () => {
  it("commits through the native layer and reads committed offsets back", async () => {
    const { consumer, native } = await started();
    await consumer.commitMany([
      { ...p0, offset: "5" },
      { ...p1, offset: "9" },
    ]);
    expect(native.calls).toContainEqual(["commit", ["t:0@5", "t:1@9"]]);
    expect(await consumer.committed([p1])).toEqual([{ ...p1, offset: "9" }]);
    expect(consumer.highWatermark(p0)).toBe("42");
  });

  it("refuses to commit before connect, with KAFKA_UNAVAILABLE", async () => {
    const { layer } = fakeLayer();
    const consumer = new LibrdkafkaConsumer(layer, options, { groupId: "g", topics: ["t"], fromBeginning: false });
    await expect(consumer.commit({ ...p0, offset: "1" })).rejects.toMatchObject({ code: "KAFKA_UNAVAILABLE" });
  });
});
