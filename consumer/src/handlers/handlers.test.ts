import { describe, expect, it } from "vitest";
import type { MessageContext } from "../handler.ts";
import { anOrder } from "../test-kit.ts";
import { healthHandler } from "./health.ts";
import { subscriptions } from "./index.ts";
import { ordersHandler } from "./orders.ts";

function context(offset: string) {
  const lines: Array<[object, string]> = [];
  const emitted: Array<[string, unknown]> = [];
  const logger = { info: (fields: object, msg: string) => lines.push([fields, msg]) };
  const emit = async (contract: { name: string }, event: unknown) => {
    emitted.push([contract.name, event]);
  };
  const statements: Array<[string, readonly unknown[] | undefined]> = [];
  const db = {
    dialect: "sqlite",
    query: async (sql: string, params?: readonly unknown[]) => {
      statements.push([sql.replace(/\s+/g, " ").trim(), params]);
      return [];
    },
  };
  return {
    lines,
    emitted,
    statements,
    ctx: { topic: "orders", partition: 1, offset, logger, emit, db } as unknown as MessageContext,
  };
}

describe("built-in handlers", () => {
  it("confirms an order exactly once on orders.confirmed, with its total in cents", async () => {
    const { lines, emitted, statements, ctx } = context("7");
    const order = anOrder(1, {
      lines: [
        { sku: "A-1", quantity: 2, unitPriceCents: 150 },
        { sku: "B-2", quantity: 3, unitPriceCents: 10 },
      ],
    });
    await ordersHandler.handle(order, ctx);
    expect(lines).toEqual([[{ orderId: order.orderId, totalCents: 330, currency: "EUR" }, "order placed"]]);
    expect(emitted).toEqual([
      [
        "orders.confirmed",
        {
          orderId: order.orderId,
          customerId: order.customerId,
          currency: "EUR",
          totalCents: 330,
          lineCount: 2,
          placedAt: order.placedAt,
        },
      ],
    ]);
    expect(ordersHandler).toMatchObject({ delivery: "exactly-once", store: true });
    // The row, in the same database transaction as the position (the runtime's `db`).
    expect(statements).toHaveLength(1);
    expect(statements[0]?.[0]).toMatch(/^INSERT INTO orders/);
    expect(statements[0]?.[1]).toEqual(expect.arrayContaining([order.orderId, "orders", 1, "7"]));
  });

  it("logs the health ping and its offset, as the tutorial does", async () => {
    const { lines, ctx } = context("42");
    await healthHandler.handle("ok", ctx);
    expect(lines).toEqual([[{ message: "ok" }, "Consumed message: ok, offset: 42"]]);
  });

  it("reads orders from the beginning and health pings from now on", () => {
    expect(ordersHandler.fromBeginning).toBe(true);
    expect(healthHandler.fromBeginning).toBe(false);
    expect(subscriptions).toEqual([healthHandler, ordersHandler]);
  });
});
