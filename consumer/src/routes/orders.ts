// GET /orders/:orderId: the example's stored order, so the tutorial's round trip shows end to end.
import { OrderPlaced } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import * as v from "valibot";
import type { StoredOrder } from "../orders/repository.ts";

/** Reads one stored order (committed rows only); undefined when there is none. */
export type FindOrder = (orderId: string) => Promise<StoredOrder | undefined>;

export function orderRoutes(find: FindOrder) {
  const routes = new Hono();
  routes.get("/orders/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    // The contract's own rule for an order id: a malformed one is a bad request, not a missing order.
    const checked = v.safeParse(OrderPlaced.entries.orderId, orderId);
    if (!checked.success) {
      throw new KafkaPairError("INVALID_REQUEST", `orderId ${JSON.stringify(orderId)} is not a UUID`, {
        issues: [{ path: "orderId", message: checked.issues[0].message, received: orderId }],
      });
    }
    const order = await find(orderId);
    if (!order) throw new KafkaPairError("NOT_FOUND", `no order ${orderId} has been stored`);
    return c.json(order);
  });
  return routes;
}
