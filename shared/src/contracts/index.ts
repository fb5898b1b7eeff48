import type { TopicContract } from "./contract.ts";
import { healthTopic } from "./health.ts";
import { ordersTopic } from "./orders.ts";

export * from "./cloudevents.ts";
export * from "./contract.ts";
export * from "./date-time.ts";
export * from "./event-record.ts";
export * from "./health.ts";
export * from "./orders.ts";
export * from "./orders-confirmed.ts";
export * from "./trace-context.ts";

/** Every topic the pair knows; the producer accepts nothing else. */
export const contracts = [healthTopic, ordersTopic] as const satisfies readonly TopicContract[];

const byName = new Map<string, TopicContract>(contracts.map((c) => [c.name, c]));

export function findContract(name: string): TopicContract | undefined {
  return byName.get(name);
}
