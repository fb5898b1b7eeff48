import type { WorkerConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/log.ts";
import type { KafkaTransport } from "./types.ts";

/**
 * The adapter on Deno: librdkafka through FFI unless TRANSPORT=platformatic (the pure-JS
 * producer, for hosts that forbid --allow-ffi or lack the library). Each is imported only when chosen.
 */
export async function createDenoTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  const base = { connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs };
  if (config.transport === "platformatic") {
    const { platformaticTransport } = await import("./platformatic/index.ts");
    return platformaticTransport(base);
  }
  const { rdkafkaFfiTransport } = await import("./rdkafka-ffi/index.deno.ts");
  return rdkafkaFfiTransport({
    ...base,
    lingerMs: config.lingerMs,
    maxQueuedMessages: config.maxQueuedMessages,
    group: config.group,
    libraryPath: config.librdkafkaPath,
  });
}

// The FFI producer's handle, for the Deno specs that reach its fatal-error path.
export type { FfiProducer, FfiProducerHandle } from "./rdkafka-ffi/index.deno.ts";
