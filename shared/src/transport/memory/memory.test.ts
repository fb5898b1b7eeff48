import { describe, expect, it } from "vitest";
import { until } from "../../testing.ts";
import type { ConsumedMessage, TopicPartition } from "../types.ts";
import { MemoryCluster, memoryTransport, partitionForKey } from "./index.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | null) => new TextDecoder().decode(value ?? new Uint8Array());

async function setup(partitions = 3) {
  const transport = memoryTransport();
  const admin = transport.admin();
  await admin.createTopics([{ name: "t", partitions, replicationFactor: 3 }]);
  const producer = transport.producer();
  await producer.connect();
  return { transport, admin, producer, cluster: transport.cluster };
}

describe("memory transport: producing", () => {
  it("puts keyed records on murmur2's partition with consecutive offsets", async () => {
    const { producer, admin } = await setup(7);
    const first = await producer.send({ topic: "t", key: "order-1", value: bytes("a") });
    const second = await producer.send({ topic: "t", key: "order-1", value: bytes("b") });
    expect(first.partition).toBe(partitionForKey("order-1", 7));
    expect([first.offset, second.offset]).toEqual(["0", "1"]);
    expect((await admin.endOffsets("t")).get(first.partition)).toBe("2");
  });

  it("spreads unkeyed records over the partitions", async () => {
    const { producer } = await setup(3);
    const reports = await Promise.all([1, 2, 3].map(() => producer.send({ topic: "t", key: null, value: bytes("x") })));
    expect(new Set(reports.map((r) => r.partition)).size).toBe(3);
  });

  it("rejects unknown topics, oversized records, and sends before connect", async () => {
    const { producer, transport } = await setup();
    await expect(producer.send({ topic: "nope", key: null, value: bytes("x") })).rejects.toMatchObject({
      code: "DELIVERY_FAILED",
    });
    await expect(producer.send({ topic: "t", key: null, value: new Uint8Array(2_000_000) })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    await expect(transport.producer().send({ topic: "t", key: null, value: bytes("x") })).rejects.toMatchObject({
      code: "KAFKA_UNAVAILABLE",
    });
  });

  it("injects delivery timeouts (written or not), queue full and fatal errors", async () => {
    const { producer, cluster, admin } = await setup(1);
    cluster.inject({ at: "send", kind: "delivery-timeout" });
    await expect(producer.send({ topic: "t", key: null, value: bytes("x") })).rejects.toMatchObject({
      code: "DELIVERY_TIMEOUT",
    });
    expect((await admin.endOffsets("t")).get(0)).toBe("0");
    cluster.inject({ at: "send", kind: "delivery-timeout", persisted: true });
    await expect(producer.send({ topic: "t", key: null, value: bytes("x") })).rejects.toMatchObject({
      code: "DELIVERY_TIMEOUT",
    });
    expect((await admin.endOffsets("t")).get(0)).toBe("1");
    cluster.inject({ at: "send", kind: "queue-full", times: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(producer.send({ topic: "t", key: null, value: bytes("x") })).rejects.toMatchObject({
        code: "KAFKA_UNAVAILABLE",
      });
    }
    await expect(producer.send({ topic: "t", key: null, value: bytes("x") })).resolves.toMatchObject({ offset: "1" });
    cluster.inject({ at: "send", kind: "fatal" });
    await expect(producer.send({ topic: "t", key: null, value: bytes("x") })).rejects.toMatchObject({
      code: "DELIVERY_FAILED",
    });
    expect(producer.isReady()).toBe(false);
  });

  it("is not ready while the cluster is unreachable", async () => {
    const { producer, cluster, transport } = await setup();
    cluster.reachable = false;
    expect(producer.isReady()).toBe(false);
    await expect(transport.producer().connect()).rejects.toMatchObject({ code: "KAFKA_UNAVAILABLE" });
    cluster.reachable = true;
    expect(producer.isReady()).toBe(true);
  });
});

describe("memory transport: transactions", () => {
  it("hides open and aborted records from read_committed, shows committed ones", async () => {
    const { producer, admin, transport } = await setup(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const committed = producer.transaction(async (tx) => {
      await tx.send({ topic: "t", key: "k", value: bytes("in-tx") });
      await gate;
    });
    await until(() => transport.cluster.partition({ topic: "t", partition: 0 }).length === 1, "the tx record");
    expect((await admin.endOffsets("t", "read_committed")).get(0)).toBe("0");
    expect((await admin.endOffsets("t", "read_uncommitted")).get(0)).toBe("1");
    release();
    await committed;
    // The record and its commit marker.
    expect((await admin.endOffsets("t", "read_committed")).get(0)).toBe("2");

    await expect(
      producer.transaction(async (tx) => {
        await tx.send({ topic: "t", key: "k", value: bytes("aborted") });
        throw new Error("handler changed its mind");
      }),
    ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED" });
    await producer.send({ topic: "t", key: "k", value: bytes("after") });

    const seen: string[] = [];
    const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    await consumer.connect();
    await consumer.run(async (m) => {
      seen.push(text(m.value));
    });
    await until(() => seen.length === 2, "two visible records");
    expect(seen).toEqual(["in-tx", "after"]);
    await consumer.disconnect();
  });

  it("steps its position over commit markers and aborted records, as librdkafka's position() does", async () => {
    const { producer, transport } = await setup(1);
    const tp = { topic: "t", partition: 0 };
    await producer.transaction((tx) => tx.send({ topic: "t", key: "k", value: bytes("in-tx") }));
    await producer
      .transaction(async (tx) => {
        await tx.send({ topic: "t", key: "k", value: bytes("aborted") });
        throw new Error("changed its mind");
      })
      .catch(() => undefined);
    // 0 in-tx, 1 its marker, 2 aborted, 3 the abort marker.
    const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    const positions: Array<string | undefined> = [];
    await consumer.connect();
    await consumer.run(async () => {
      positions.push(consumer.position(tp));
    });
    await until(() => positions.length === 1, "the record delivered");
    // Delivered, the record moves the position on: past its marker, the aborted record and the abort marker.
    expect(positions).toEqual(["4"]);
    await consumer.disconnect();
  });

  it("aborts when the commit fails", async () => {
    const { producer, cluster, admin } = await setup(1);
    cluster.inject({ at: "transaction", kind: "error" });
    await expect(
      producer.transaction((tx) => tx.send({ topic: "t", key: "k", value: bytes("x") })),
    ).rejects.toMatchObject({ code: "DELIVERY_FAILED" });
    const lso = (await admin.endOffsets("t", "read_committed")).get(0);
    expect(cluster.nextVisible({ topic: "t", partition: 0 }, 0n)).toBeUndefined();
    expect(lso).toBe("2");
  });
});

describe("memory transport: consumer groups", () => {
  it("starts at the committed offset, else at the beginning or the end", async () => {
    const { producer, transport, cluster } = await setup(1);
    for (const v of ["a", "b", "c"]) await producer.send({ topic: "t", key: null, value: bytes(v) });
    cluster.commit("committed", { topic: "t", partition: 0 }, 2n);
    const firsts: Record<string, string[]> = { committed: [], earliest: [], latest: [] };
    for (const [groupId, fromBeginning] of [
      ["committed", false],
      ["earliest", true],
      ["latest", false],
    ] as const) {
      const consumer = transport.consumer({ groupId, topics: ["t"], fromBeginning });
      await consumer.connect();
      await consumer.run(async (m) => {
        firsts[groupId]?.push(text(m.value));
      });
    }
    await producer.send({ topic: "t", key: null, value: bytes("d") });
    await until(() => firsts.latest?.length === 1, "the latest group to see d");
    expect(firsts).toEqual({ committed: ["c", "d"], earliest: ["a", "b", "c", "d"], latest: ["d"] });
  });

  it("redelivers a message whose handler threw", async () => {
    const { producer, transport } = await setup(1);
    await producer.send({ topic: "t", key: null, value: bytes("a") });
    let calls = 0;
    const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    await consumer.connect();
    await consumer.run(async () => {
      calls++;
      if (calls < 3) throw new Error("not yet");
    });
    await until(() => calls === 3, "three deliveries");
    await consumer.disconnect();
  });

  it("splits partitions between members, commits on revoke, hands over on leave", async () => {
    const { producer, transport, admin } = await setup(4);
    const events: string[] = [];
    const members = ["m1", "m2"].map((name) => {
      const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
      const handled: ConsumedMessage[] = [];
      consumer.onRebalance?.({
        onAssign: (tps: TopicPartition[]) => events.push(`${name} +${tps.map((tp) => tp.partition).join(",")}`),
        onRevoke: async (tps) => {
          events.push(`${name} -${tps.map((tp) => tp.partition).join(",")}`);
          const last = new Map(handled.map((m) => [m.partition, m]));
          await consumer.commitMany?.(
            tps.flatMap((tp) => {
              const m = last.get(tp.partition);
              return m ? [{ ...tp, offset: String(BigInt(m.offset) + 1n) }] : [];
            }),
          );
        },
      });
      return { name, consumer, handled };
    });
    const [m1, m2] = members as [(typeof members)[0], (typeof members)[0]];
    await m1.consumer.connect();
    await m1.consumer.run(async (m) => {
      m1.handled.push(m);
    });
    expect(m1.consumer.assignment().map((tp) => tp.partition)).toEqual([0, 1, 2, 3]);
    await m2.consumer.connect();
    await m2.consumer.run(async (m) => {
      m2.handled.push(m);
    });
    expect(m1.consumer.assignment().map((tp) => tp.partition)).toEqual([0, 1]);
    expect(m2.consumer.assignment().map((tp) => tp.partition)).toEqual([2, 3]);
    expect(events).toEqual(["m1 +0,1,2,3", "m1 -2,3", "m1 +", "m2 +2,3"]);

    for (let i = 0; i < 8; i++) await producer.send({ topic: "t", key: `k${i}`, value: bytes(String(i)) });
    await until(() => m1.handled.length + m2.handled.length === 8, "all eight handled");
    await m2.consumer.disconnect();
    expect(m1.consumer.assignment().map((tp) => tp.partition)).toEqual([0, 1, 2, 3]);
    // m2's final commit covered what it handled: nothing it did is handed to m1 again.
    const committed = await admin.committedOffsets("g", "t");
    for (const m of m2.handled) expect(BigInt(committed.get(m.partition) ?? -1)).toBeGreaterThan(BigInt(m.offset));
    expect(m1.handled.filter((m) => m.partition >= 2)).toEqual([]);
    await m1.consumer.disconnect();
  });

  it("aborts the partition's signal on revoke and waits for the message in hand", async () => {
    const { producer, transport } = await setup(1);
    await producer.send({ topic: "t", key: null, value: bytes("slow") });
    const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    let signal: AbortSignal | undefined;
    let finished = false;
    await consumer.connect();
    await consumer.run(async (m) => {
      signal = m.signal;
      await new Promise((resolve) => m.signal?.addEventListener("abort", resolve));
      finished = true;
    });
    await until(() => signal !== undefined, "the message in hand");
    await consumer.disconnect();
    expect(signal?.aborted).toBe(true);
    expect(finished).toBe(true);
  });

  it("fails commits on demand with KAFKA_UNAVAILABLE", async () => {
    const { transport, cluster } = await setup(1);
    const consumer = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    await consumer.connect();
    cluster.inject({ at: "commit", kind: "unavailable" });
    await expect(consumer.commit({ topic: "t", partition: 0, offset: "1" })).rejects.toMatchObject({
      code: "KAFKA_UNAVAILABLE",
    });
    await consumer.commit({ topic: "t", partition: 0, offset: "1" });
    expect(await consumer.committed?.([{ topic: "t", partition: 0 }])).toEqual([
      { topic: "t", partition: 0, offset: "1" },
    ]);
  });

  it("refuses replication factors larger than the cluster", async () => {
    const admin = memoryTransport(new MemoryCluster({ brokers: 1 })).admin();
    await expect(admin.createTopics([{ name: "x", partitions: 1, replicationFactor: 3 }])).rejects.toThrow(
      /replication factor 3/,
    );
  });
});

describe("memory transport: offsets in a transaction (KIP-447)", () => {
  async function member() {
    const ctx = await setup(1);
    await ctx.admin.createTopics([{ name: "out", partitions: 1, replicationFactor: 3 }]);
    const consumer = ctx.transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    await consumer.connect();
    await consumer.run(async () => {});
    return { ...ctx, consumer };
  }
  const p0 = [{ topic: "t", partition: 0, offset: "3" }];

  it("commits the offsets with the transaction's records, and neither when it aborts", async () => {
    const { producer, consumer, admin } = await member();
    await expect(
      producer.transaction(async (tx) => {
        await tx.send({ topic: "out", key: null, value: bytes("a") });
        await tx.sendOffsets(p0, consumer.groupMetadata());
        throw new Error("handler failed");
      }),
    ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED" });
    expect((await admin.committedOffsets("g", "t")).get(0)).toBeUndefined();
    await producer.transaction(async (tx) => {
      await tx.send({ topic: "out", key: null, value: bytes("b") });
      await tx.sendOffsets(p0, consumer.groupMetadata());
    });
    expect((await admin.committedOffsets("g", "t")).get(0)).toBe("3");
  });

  it("fences offsets read before a rebalance: the transaction aborts, its records stay invisible", async () => {
    const { producer, consumer, admin, transport, cluster } = await member();
    const stale = consumer.groupMetadata();
    const other = transport.consumer({ groupId: "g", topics: ["t"], fromBeginning: true });
    await other.connect();
    await other.run(async () => {});
    await expect(
      producer.transaction(async (tx) => {
        await tx.send({ topic: "out", key: null, value: bytes("zombie") });
        await tx.sendOffsets(p0, stale);
      }),
    ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED", message: expect.stringMatching(/fenced/) });
    expect((await admin.committedOffsets("g", "t")).get(0)).toBeUndefined();
    expect(cluster.nextVisible({ topic: "out", partition: 0 }, 0n)).toBeUndefined();
  });
});
