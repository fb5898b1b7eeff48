import * as v from "valibot";
import { defineTopic } from "./contract.ts";

/** The tutorial's liveness ping: server A sends the text "ok" to `health`. */
export const HealthPing = v.literal("ok");
export type HealthPing = v.InferOutput<typeof HealthPing>;

export const healthTopic = defineTopic({
  name: "health",
  description: 'Liveness ping from the producer, plain text "ok" as in the tutorial.',
  schema: HealthPing,
  encoding: "text",
  key: () => null,
  partitions: 3,
  replicationFactor: 3,
  deadLetter: { partitions: 3, replicationFactor: 3 },
  eventType: "dev.kafka-pair.health.ping",
});
