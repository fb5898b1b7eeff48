import type { Subscription } from "../handler.ts";
import { healthHandler } from "./health.ts";
import { ordersHandler } from "./orders.ts";

// biome-ignore lint/suspicious/noExplicitAny: each subscription is typed by its own contract
export const subscriptions: Subscription<any>[] = [healthHandler, ordersHandler];
