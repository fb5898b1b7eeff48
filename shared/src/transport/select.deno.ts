import type { WorkerConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { KafkaTransport } from "./types.ts";

/**
 * The adapter on Deno: librdkafka through FFI unless TRANSPORT names a pure-JS client
 * (`platformatic` for hosts that forbid --allow-ffi or lack the library; `kafkajs`).
 * Each is imported only when chosen.
 */
export async function createDenoTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  const base = { connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs };
  if (config.transport === "platformatic") {
    const { platformaticTransport } = await import("./platformatic/index.ts");
    return platformaticTransport(base);
  }
  if (config.transport === "kafkajs") {
    const { kafkaJsTransport } = await import("./kafkajs/index.ts");
    return kafkaJsTransport(base);
  }
  const { rdkafkaFfiTransport } = await import("./rdkafka-ffi/index.deno.ts");
  return rdkafkaFfiTransport({
    ...base,
    lingerMs: config.lingerMs,
    maxQueuedMessages: config.maxQueuedMessages,
    libraryPath: config.librdkafkaPath,
  });
}
