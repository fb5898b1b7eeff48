import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventually, useNamespace } from "../helpers/kafka.ts";
import { ALL_PARTITIONS, holdings, javaConsoleConsumer, KAFKA_LIBS, useMixedGroup } from "../helpers/mixed-group.ts";
import { processed } from "../helpers/pair.ts";
import { runRefusedWorker, type Worker } from "../helpers/workers.ts";

// One consumer group shared by librdkafka members on both runtimes (Node's binding, Deno's FFI)
// and a Java consumer: they split the partitions and hand them over through rolling restarts,
// with no "Inconsistent group protocol", nothing lost and nothing handled twice.
describe("one consumer group: Node, Deno (FFI) and Java members", () => {
  const ns = useNamespace();
  const env = { KAFKA_NAMESPACE: ns.prefix };
  const group = useMixedGroup(ns, env);
  const { groupId, everyConsumer, live, produced, startConsumer, stop, balanced, postOrders, expectHandled } = group;

  it("splits the partitions between a Node and a Deno member", async () => {
    const node = await startConsumer("node");
    const deno = await startConsumer("deno");
    expect(deno.logs.find((l) => l.msg === "consumer listening")).toMatchObject({ transport: "rdkafka-ffi" });
    await balanced([node, deno]);
    await expectHandled(await postOrders(20));
  });

  it("hands the partitions over both ways through a rolling restart", async () => {
    const [first, second] = [...live] as [Worker, Worker];
    // Deno leaves: Node takes everything; a new Deno member takes its share back.
    await stop(second);
    await balanced([first]);
    await expectHandled(await postOrders(10));
    const deno = await startConsumer("deno");
    await balanced([first, deno]);
    // Node leaves: Deno takes everything; a new Node member joins.
    await stop(first);
    await balanced([deno]);
    await expectHandled(await postOrders(10));
    const node = await startConsumer("node");
    await balanced([deno, node]);
    await expectHandled(await postOrders(10));
  });

  it.runIf(existsSync(KAFKA_LIBS))(
    "takes a Java consumer (CooperativeStickyAssignor) into the same group and back out",
    async () => {
      const java = javaConsoleConsumer(
        ns.topic("orders"),
        groupId,
        "partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
      );
      let javaOut = "";
      java.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        javaOut += chunk;
      });
      java.stdout?.resume();
      const members = [...live];
      try {
        // The Java member got a partition: ours hold fewer than all of them.
        await eventually(
          () => (members.flatMap((w) => holdings(w, groupId)).length < ALL_PARTITIONS.length ? true : undefined),
          90_000,
          `the Java member to get a partition (${javaOut.slice(-500)})`,
        );
      } finally {
        java.kill("SIGTERM");
        await new Promise((resolve) => java.once("exit", resolve));
      }
      await balanced(members);
      await expectHandled(await postOrders(10));
    },
  );

  it("refuses to start a platformatic consumer, saying why", async () => {
    const { code, output } = await runRefusedWorker(
      "consumer",
      { ...env, TRANSPORT: "platformatic" },
      { runtime: "deno" },
    );
    expect(code).not.toBe(0);
    expect(output).toMatch(/TRANSPORT=platformatic cannot consume/);
  });

  it("never saw an inconsistent group protocol, lost or doubled an event", () => {
    const everything = [group.producer, ...everyConsumer].flatMap((w) => w.logs.map((l) => JSON.stringify(l)));
    expect(everything.filter((l) => /inconsistent group protocol/i.test(l))).toEqual([]);
    for (const record of produced) {
      const handledBy = everyConsumer.filter((c) => processed(c, record));
      expect(handledBy.length, `${record.partition}:${record.offset}`).toBe(1);
    }
  });
});
