import type { WorkerConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { KafkaTransport } from "./types.ts";

/**
 * The adapter TRANSPORT names. Each one is imported only when chosen, so picking KafkaJS
 * never loads librdkafka's native addon (and the reverse).
 */
export async function createTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  if (config.transport === "kafkajs") {
    const { kafkaJsTransport } = await import("./kafkajs/index.ts");
    return kafkaJsTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs });
  }
  if (config.transport === "platformatic") {
    const { platformaticTransport } = await import("./platformatic/index.ts");
    return platformaticTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs });
  }
  const { confluentTransport } = await import("./confluent/index.ts");
  return confluentTransport({
    connection: config.kafka,
    logger,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    lingerMs: config.lingerMs,
    maxQueuedMessages: config.maxQueuedMessages,
  });
}
