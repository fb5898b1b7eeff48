/**
 * Test-only handlers for the consumer e2e tests, loaded with
 * CONSUMER_HANDLERS=test/handlers/consumer-behaviours.ts. Each test tells the handler what to
 * do with one event through `x-test-*` headers, so production code has no test hooks.
 */
import { appendFileSync, existsSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { subscribe } from "@kafka-pair/consumer/handler";
import { ordersTopic } from "@kafka-pair/shared/contracts";

export const TEST_HEADER = {
  /** Fail the first N attempts. */
  failTimes: "x-test-fail-times",
  /** Fail every attempt while this file does not exist. */
  failUntil: "x-test-fail-until",
  /** Block (without failing) until this file exists. */
  blockUntil: "x-test-block-until",
  sleepMs: "x-test-sleep-ms",
  /** Append one JSON line per finished event to this file, synchronously (survives kill -9). */
  journal: "x-test-journal",
  /** Hold a per-partition lock directory under this path while handling; a held lock means overlap. */
  lockDir: "x-test-lock-dir",
} as const;

/** Per lock directory, how many of this process's handlers hold it. */
const locksHeld = new Map<string, number>();

async function until(path: string): Promise<void> {
  while (!existsSync(path)) await sleep(25);
}

export const subscriptions = [
  subscribe({
    contract: ordersTopic,
    groupId: "orders_group",
    fromBeginning: true,
    async handle(order, { headers, attempt, partition, offset, logger }) {
      const lockDir = headers[TEST_HEADER.lockDir];
      const lock = lockDir ? join(lockDir, `p${partition}`) : undefined;
      let held = false;
      if (lock) {
        // Events of one partition may run at once in this process (key ordering): the directory
        // is taken by the first of them and left by the last; another member finding it held overlaps.
        const holders = locksHeld.get(lock) ?? 0;
        try {
          if (holders === 0) mkdirSync(lock, { recursive: false });
          locksHeld.set(lock, holders + 1);
          held = true;
        } catch {
          logger.error({ orderId: order.orderId }, "overlap: another member is handling this partition");
        }
      }
      try {
        logger.info({ orderId: order.orderId, attempt }, "handling");
        const failTimes = Number(headers[TEST_HEADER.failTimes] ?? 0);
        if (attempt <= failTimes) throw new Error(`planned failure ${attempt} of ${failTimes}`);
        const failUntil = headers[TEST_HEADER.failUntil];
        if (failUntil && !existsSync(failUntil)) throw new Error("planned failure until released");
        const blockUntil = headers[TEST_HEADER.blockUntil];
        if (blockUntil) {
          logger.info({ orderId: order.orderId }, "blocked");
          await until(blockUntil);
        }
        const sleepMs = Number(headers[TEST_HEADER.sleepMs] ?? 0);
        if (sleepMs > 0) await sleep(sleepMs);
        const journal = headers[TEST_HEADER.journal];
        if (journal) {
          appendFileSync(
            journal,
            `${JSON.stringify({ pid: process.pid, partition, offset, orderId: order.orderId })}\n`,
          );
        }
      } finally {
        if (lock && held) {
          const holders = (locksHeld.get(lock) ?? 1) - 1;
          if (holders === 0) {
            locksHeld.delete(lock);
            rmdirSync(lock);
          } else locksHeld.set(lock, holders);
        }
      }
    },
  }),
];
