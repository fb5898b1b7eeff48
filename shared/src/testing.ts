// Test support for the unit tests of every workspace (not used by the workers): an HTTP
// server stand-in for boot tests, a valid order, and a wait on a condition.
import type { OrderPlaced } from "./contracts/orders.ts";
import type { Serve } from "./runtime/startup.ts";

/** A Serve that keeps the fetch handler, so boot tests send requests without a socket. */
export function fakeServer() {
  let handler: ((request: Request) => Response | Promise<Response>) | undefined;
  const state = { closed: false };
  const serve: Serve = (fetch, { port, onListen }) => {
    handler = fetch;
    onListen(port);
    return { close: () => (state.closed = true) };
  };
  const request = async (path: string, init?: RequestInit) => {
    if (!handler) throw new Error("not serving");
    return handler(new Request(`http://worker${path}`, init));
  };
  return { serve, request, state };
}

/** A valid order, the same for the same `n`. */
export function anOrder(n: number, overrides: Partial<OrderPlaced> = {}): OrderPlaced {
  return {
    orderId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    customerId: `cust-${n}`,
    currency: "EUR",
    lines: [{ sku: "SKU-1", quantity: 1, unitPriceCents: 100 }],
    placedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** Resolves once `check` holds, re-checked after each macrotask; throws if it never does. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ticks = 2_000): Promise<void> {
  for (let i = 0; i < ticks; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`never happened: ${what}`);
}

// The in-memory transport: the port's adapter for tests that need no broker.
export {
  MemoryCluster,
  type MemoryTransport,
  memoryTransport,
  partitionForKey,
} from "./transport/memory/index.ts";
