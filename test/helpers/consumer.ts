import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Namespace } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import type { LogLine, Worker } from "./workers.ts";

/** The test-only handler module the consumer e2e tests run (see test/handlers/). */
export const TEST_HANDLERS = "test/handlers/consumer-behaviours.ts";
export const GROUP = "orders_group";

export interface At {
  partition: number;
  offset: string;
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `${prefix}-`));

/** Log lines of one message (the runner binds partition and offset to each). */
export const linesAt = (worker: Worker, at: At, msg?: string): LogLine[] =>
  worker.logs.filter(
    (l) => l.partition === at.partition && l.offset === at.offset && (msg === undefined || l.msg === msg),
  );

/** The group's committed offset for the partition, as a bigint (-1 when none). */
export async function committedOffset(admin: AdminTransport, ns: Namespace, at: At): Promise<bigint> {
  const committed = await admin.committedOffsets(ns.group(GROUP), ns.topic("orders"));
  return BigInt(committed.get(at.partition) ?? "-1");
}

export interface JournalEntry {
  pid: number;
  partition: number;
  offset: string;
  orderId: string;
}

/** The lines the test handler appended (one per finished event), from every process. */
export function readJournal(path: string): JournalEntry[] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalEntry);
}
