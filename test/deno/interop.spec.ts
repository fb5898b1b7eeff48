import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { committedPast, type Produced, processed } from "../helpers/pair.ts";
import { denoBin, denoPermissions, type Runtime, startWorker, type Worker } from "../helpers/workers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ALL = [0, 1, 2];
const kafkaLibs = join(homedir(), ".cache/kafka-pair/kafka-4.4.0/libs");

/** The orders partitions a worker holds now, folded from its assigned/revoked log lines. */
function holdings(worker: Worker, groupId: string): number[] {
  const held = new Set<number>();
  for (const line of worker.logs) {
    if (line.groupId !== groupId) continue;
    const partitions = (line.partitions as number[] | undefined) ?? [];
    if (line.msg === "partitions assigned") for (const p of partitions) held.add(p);
    if (line.msg === "partitions revoked") for (const p of partitions) held.delete(p);
  }
  return [...held].sort();
}

// One consumer group shared by librdkafka members on both runtimes (Node's binding, Deno's FFI)
// and a Java consumer: they split the partitions and hand them over through rolling restarts,
// with no "Inconsistent group protocol", nothing lost and nothing handled twice.
describe("one consumer group: Node, Deno (FFI) and Java members", () => {
  const ns = useNamespace();
  const env = { KAFKA_NAMESPACE: ns.prefix };
  const groupId = ns.group("orders_group");
  let admin: AdminTransport;
  let producer: Worker;
  const everyConsumer: Worker[] = [];
  const live = new Set<Worker>();
  const produced: Produced[] = [];

  const startConsumer = async (runtime: Runtime) => {
    const worker = await startWorker("consumer", env, { runtime });
    everyConsumer.push(worker);
    live.add(worker);
    return worker;
  };
  const stop = async (worker: Worker) => {
    live.delete(worker);
    expect(await worker.stop("SIGTERM")).toBe(0);
  };
  /** Waits until the live members hold every partition between them, each one at least one. */
  const balanced = (members: Worker[]) =>
    eventually(
      () => {
        const held = members.map((w) => holdings(w, groupId));
        const all = held.flat().sort();
        return held.every((h) => h.length > 0) && JSON.stringify(all) === JSON.stringify(ALL) ? held : undefined;
      },
      60_000,
      `partitions split among ${members.length} member(s)`,
    );
  const postOrders = async (count: number) => {
    const batch: Produced[] = [];
    for (let i = 0; i < count; i++) {
      const res = await postJson(producer.url, "/topics/orders", anOrder());
      expect(res.status).toBe(201);
      batch.push(await readJson(res));
    }
    produced.push(...batch);
    return batch;
  };
  const expectHandled = async (batch: Produced[]) => {
    for (const record of batch) {
      await eventually(
        () => (everyConsumer.some((c) => processed(c, record)) ? true : undefined),
        30_000,
        `order at ${record.partition}:${record.offset}`,
      );
      await eventually(() => committedPast(admin, ns, "orders_group", record), 30_000, "commit");
    }
  };

  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", env, { runtime: "node" });
  });

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

  // The launcher's Kafka jars (absent when the cluster came from Docker and never from the launcher).
  it.runIf(existsSync(kafkaLibs))(
    "takes a Java consumer (CooperativeStickyAssignor) into the same group and back out",
    async () => {
      const java: ChildProcess = spawn(
        "java",
        [
          "-cp",
          `${kafkaLibs}/*`,
          "org.apache.kafka.tools.consumer.ConsoleConsumer",
          "--bootstrap-server",
          inject("bootstrapServers"),
          "--topic",
          ns.topic("orders"),
          "--group",
          groupId,
          "--consumer-property",
          "partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
          "--isolation-level",
          "read_committed",
        ],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
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
          () => (members.flatMap((w) => holdings(w, groupId)).length < ALL.length ? true : undefined),
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
    const child = spawn(denoBin, ["run", ...denoPermissions, "consumer/src/main.deno.ts"], {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        TRANSPORT: "platformatic",
        KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
        PORT: "0",
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(output).toMatch(/TRANSPORT=platformatic cannot consume/);
  });

  it("never saw an inconsistent group protocol, lost or doubled an event", () => {
    const everything = [producer, ...everyConsumer].flatMap((w) => w.logs.map((l) => JSON.stringify(l)));
    expect(everything.filter((l) => /inconsistent group protocol/i.test(l))).toEqual([]);
    for (const record of produced) {
      const handledBy = everyConsumer.filter((c) => processed(c, record));
      expect(handledBy.length, `${record.partition}:${record.offset}`).toBe(1);
    }
  });
});
