import { KafkaPairError } from "../errors.ts";
import type { WorkerConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/log.ts";
import type { KafkaTransport } from "./types.ts";

/** The Node adapter: the librdkafka core on the Confluent binding, imported only when asked for. */
export async function createTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  if (config.transport === "platformatic") {
    // Node always loads librdkafka's binding: the pure-JS fallback is for Deno hosts without FFI.
    throw new KafkaPairError(
      "CONFIG_INVALID",
      "TRANSPORT=platformatic is Deno's fallback for hosts without FFI; on Node use the default (librdkafka)",
    );
  }
  const { confluentTransport } = await import("./confluent/index.ts");
  return confluentTransport({
    connection: config.kafka,
    logger,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    lingerMs: config.lingerMs,
    maxQueuedMessages: config.maxQueuedMessages,
    group: config.group,
  });
}

// For composition roots that set the adapter's options themselves (the console, tests, measurements).
export { confluentTransport } from "./confluent/index.ts";
