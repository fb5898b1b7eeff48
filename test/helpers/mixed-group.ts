import { type ChildProcess, spawn } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Namespace } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, expect, inject } from "vitest";
import { anOrder, postJson, readJson } from "./events.ts";
import { eventually, useAdmin } from "./kafka.ts";
import { committedPast, type Produced, processed } from "./pair.ts";
import { type Runtime, startWorker, type Worker } from "./workers.ts";

/** The launcher's Kafka jars (absent when the cluster came from Docker and never from the launcher). */
export const KAFKA_LIBS = join(homedir(), ".cache/kafka-pair/kafka-4.4.0/libs");

/** Kafka's Java console consumer as a member of `groupId`, read_committed, with one extra consumer property. */
export function javaConsoleConsumer(topic: string, groupId: string, consumerProperty: string): ChildProcess {
  return spawn(
    "java",
    [
      "-cp",
      `${KAFKA_LIBS}/*`,
      "org.apache.kafka.tools.consumer.ConsoleConsumer",
      "--bootstrap-server",
      inject("bootstrapServers"),
      "--topic",
      topic,
      "--group",
      groupId,
      "--consumer-property",
      consumerProperty,
      "--isolation-level",
      "read_committed",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** The orders topic's partitions. */
export const ALL_PARTITIONS = [0, 1, 2];

/** The orders partitions a worker holds now, folded from its assigned/revoked log lines. */
export function holdings(worker: Worker, groupId: string): number[] {
  const held = new Set<number>();
  for (const line of worker.logs) {
    if (line.groupId !== groupId) continue;
    const partitions = (line.partitions as number[] | undefined) ?? [];
    if (line.msg === "partitions assigned") for (const p of partitions) held.add(p);
    if (line.msg === "partitions revoked") for (const p of partitions) held.delete(p);
  }
  return [...held].sort();
}

/**
 * One `orders_group` of consumer processes (Node and Deno members started and stopped by the
 * spec) behind one Node producer: what the mixed-group specs share. Registers the producer's
 * start in a `beforeAll` of the calling suite; workers and clients end with the file.
 */
export function useMixedGroup(ns: Namespace, env: Record<string, string>) {
  const groupId = ns.group("orders_group");
  const everyConsumer: Worker[] = [];
  const live = new Set<Worker>();
  const produced: Produced[] = [];
  /** Each posted order's id and where Kafka stored it. */
  const orderIds = new Map<string, Produced>();
  let admin: AdminTransport | undefined;
  let producer: Worker | undefined;

  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", env, { runtime: "node" });
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (beforeAll)`);
    return value;
  };

  return {
    groupId,
    everyConsumer,
    live,
    produced,
    orderIds,
    get producer(): Worker {
      return started(producer, "the producer");
    },
    async startConsumer(runtime: Runtime): Promise<Worker> {
      const worker = await startWorker("consumer", env, { runtime });
      everyConsumer.push(worker);
      live.add(worker);
      return worker;
    },
    async stop(worker: Worker): Promise<void> {
      live.delete(worker);
      expect(await worker.stop("SIGTERM")).toBe(0);
    },
    /** Waits until the live members hold every partition between them, each one at least one. */
    balanced(members: Worker[]) {
      return eventually(
        () => {
          const held = members.map((w) => holdings(w, groupId));
          const all = held.flat().sort();
          return held.every((h) => h.length > 0) && JSON.stringify(all) === JSON.stringify(ALL_PARTITIONS)
            ? held
            : undefined;
        },
        60_000,
        `partitions split among ${members.length} member(s)`,
      );
    },
    async postOrders(count: number): Promise<Produced[]> {
      const batch: Produced[] = [];
      for (let i = 0; i < count; i++) {
        const order = anOrder();
        const res = await postJson(started(producer, "the producer").url, "/topics/orders", order);
        expect(res.status).toBe(201);
        const at: Produced = await readJson(res);
        orderIds.set(order.orderId, at);
        batch.push(at);
      }
      produced.push(...batch);
      return batch;
    },
    /** Each record handled (by a worker, or by `elsewhere`) and the group's offset past it. */
    async expectHandled(batch: Produced[], elsewhere: (record: Produced) => boolean = () => false): Promise<void> {
      for (const record of batch) {
        await eventually(
          () => (everyConsumer.some((c) => processed(c, record)) || elsewhere(record) ? true : undefined),
          30_000,
          `order at ${record.partition}:${record.offset}`,
        );
        await eventually(
          () => committedPast(started(admin, "the admin client"), ns, "orders_group", record),
          30_000,
          "commit",
        );
      }
    },
  };
}
