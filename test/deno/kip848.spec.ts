import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { ALL_PARTITIONS, holdings, javaConsoleConsumer, KAFKA_LIBS, useMixedGroup } from "../helpers/mixed-group.ts";
import { committedPast, type Produced, processed } from "../helpers/pair.ts";
import { type Runtime, startWorker, type Worker } from "../helpers/workers.ts";

/** `kafka-consumer-groups --describe --state`, through the launcher's jars. */
function groupState(groupId: string): string {
  const run = spawnSync(
    "java",
    [
      "-cp",
      `${KAFKA_LIBS}/*`,
      "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
      "--bootstrap-server",
      inject("bootstrapServers"),
      "--describe",
      "--state",
      "--group",
      groupId,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  return `${run.stdout}${run.stderr}`;
}

// KIP-848 (KAFKA_GROUP_PROTOCOL=consumer): one group shared by a Node member (the binding), a
// Deno member (FFI) and Kafka's Java console consumer (group.protocol=consumer), the broker
// assigning. Partitions are handed over through rolling restarts both ways and while the Java
// member comes and goes; every event is handled once, by exactly one member.
describe.runIf(existsSync(KAFKA_LIBS))("one KIP-848 group: Node, Deno (FFI) and Java members", () => {
  const ns = useNamespace();
  const env = { KAFKA_NAMESPACE: ns.prefix, KAFKA_GROUP_PROTOCOL: "consumer" };
  const group = useMixedGroup(ns, env);
  const { groupId, everyConsumer, live, produced, orderIds, startConsumer, stop, balanced, postOrders } = group;
  /** What the Java member printed: one order JSON per line. */
  let javaOut = "";
  const byJava = (record: Produced) =>
    [...orderIds].some(
      ([id, at]) => at.partition === record.partition && at.offset === record.offset && javaOut.includes(id),
    );
  const expectHandled = (batch: Produced[], java = false) => group.expectHandled(batch, java ? byJava : undefined);

  it("splits the partitions between a Node and a Deno member, the broker assigning", async () => {
    const node = await startConsumer("node");
    const deno = await startConsumer("deno");
    await balanced([node, deno]);
    await expectHandled(await postOrders(20));
    // Kafka's own tool: a KIP-848 group names the broker's assignor (uniform), not cooperative-sticky.
    expect(groupState(groupId)).toMatch(/\b(uniform|range)\b/);
  });

  it("hands the partitions over both ways through rolling restarts", async () => {
    const [first, second] = [...live] as [Worker, Worker];
    // Deno leaves: Node takes everything; a new Deno member takes its share back.
    await stop(second);
    await balanced([first]);
    await expectHandled(await postOrders(10));
    const deno = await startConsumer("deno");
    await balanced([first, deno]);
    await expectHandled(await postOrders(10));
    // Node leaves: Deno takes everything; a new Node member joins.
    await stop(first);
    await balanced([deno]);
    await expectHandled(await postOrders(10));
    const node = await startConsumer("node");
    await balanced([deno, node]);
    await expectHandled(await postOrders(10));
  });

  it("takes Kafka's Java console consumer (group.protocol=consumer) in, events flowing, and back out", async () => {
    const java = javaConsoleConsumer(ns.topic("orders"), groupId, "group.protocol=consumer");
    let javaErr = "";
    java.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      javaOut += chunk;
    });
    java.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      javaErr += chunk;
    });
    const members = [...live];
    try {
      // The broker gave the Java member a partition: ours hold fewer than all of them.
      await eventually(
        () => (members.flatMap((w) => holdings(w, groupId)).length < ALL_PARTITIONS.length ? true : undefined),
        90_000,
        `the Java member to get a partition (${javaErr.slice(-500)})`,
      );
      // Events go to all three members; the Java one prints its share.
      const batch = await postOrders(15);
      await expectHandled(batch, true);
      expect(batch.some(byJava)).toBe(true);
    } finally {
      // A graceful close: the console consumer commits what it printed before leaving.
      java.kill("SIGTERM");
      await new Promise((resolve) => java.once("exit", resolve));
    }
    await balanced(members);
    await expectHandled(await postOrders(10));
  });

  it("lost nothing and handled nothing twice", () => {
    for (const record of produced) {
      const handledBy = everyConsumer.filter((c) => processed(c, record)).length + (byJava(record) ? 1 : 0);
      expect(handledBy, `${record.partition}:${record.offset}`).toBe(1);
    }
    const everything = everyConsumer.flatMap((w) => w.logs.map((l) => JSON.stringify(l)));
    expect(everything.filter((l) => /inconsistent group protocol|unsupported/i.test(l))).toEqual([]);
  });
});

// Moving a classic group to KIP-848. Kafka 4.x can convert a live classic group when a
// consumer-protocol member joins, but it refuses to for a group of librdkafka members: their
// cooperative-sticky assignor sends userData the conversion would drop (the coordinator logs
// "Cannot upgrade classic group … userData from a custom assignor would be lost", and the new
// member is never admitted). So the move is a full restart: the classic members leave (each
// commits on the way out), the group empties, and members on the new protocol take over from
// the committed offsets.
describe("a classic group moved to KIP-848 by a full restart", () => {
  const ns = useNamespace();
  const base = { KAFKA_NAMESPACE: ns.prefix };
  const groupId = ns.group("orders_group");
  let admin: AdminTransport;
  let producer: Worker;
  const everyConsumer: Worker[] = [];
  const produced: Produced[] = [];

  const post = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const res = await postJson(producer.url, "/topics/orders", anOrder());
      expect(res.status).toBe(201);
      const at: Produced = await readJson(res);
      produced.push(at);
      // Handled by one of the members and committed past, before the next step.
      await eventually(() => (everyConsumer.some((c) => processed(c, at)) ? true : undefined), 30_000, "handled");
      await eventually(() => committedPast(admin, ns, "orders_group", at), 30_000, "committed");
    }
  };
  const start = async (runtime: Runtime, protocol: "classic" | "consumer") => {
    const worker = await startWorker("consumer", { ...base, KAFKA_GROUP_PROTOCOL: protocol }, { runtime });
    everyConsumer.push(worker);
    return worker;
  };
  const assigned = (worker: Worker) =>
    eventually(() => (holdings(worker, groupId).length > 0 ? true : undefined), 60_000, "a partition");

  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", base, { runtime: "node" });
  });

  it("moves without losing or doubling an event", async () => {
    const node = await start("node", "classic");
    const deno = await start("deno", "classic");
    await Promise.all([assigned(node), assigned(deno)]);
    await post(5);
    if (existsSync(KAFKA_LIBS)) expect(groupState(groupId)).toMatch(/cooperative-sticky/);
    expect(await node.stop("SIGTERM")).toBe(0);
    expect(await deno.stop("SIGTERM")).toBe(0);
    const node2 = await start("node", "consumer");
    const deno2 = await start("deno", "consumer");
    await Promise.all([assigned(node2), assigned(deno2)]);
    await post(5);
    if (existsSync(KAFKA_LIBS)) expect(groupState(groupId)).toMatch(/\b(uniform|range)\b/);
    for (const record of produced) {
      const handledBy = everyConsumer.filter((c) => processed(c, record)).length;
      expect(handledBy, `${record.partition}:${record.offset}`).toBe(1);
    }
  }, 240_000);
});
