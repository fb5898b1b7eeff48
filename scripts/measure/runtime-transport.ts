import type { WorkerConfig } from "@kafka-pair/shared/config";
import type { Logger } from "@kafka-pair/shared/log";
import type { KafkaTransport } from "@kafka-pair/shared/transport";

export const isDeno = "Deno" in globalThis;

/**
 * The transport TRANSPORT names on the runtime running this file: Node's selection, or Deno's
 * (librdkafka through FFI unless TRANSPORT=platformatic or kafkajs).
 */
export async function runtimeTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  // A computed specifier: tsc (Node types) never reads the Deno-only module.
  const path = isDeno ? "@kafka-pair/shared/transport/select-deno" : "@kafka-pair/shared/transport/select";
  const mod = await import(path);
  return isDeno ? mod.createDenoTransport(config, logger) : mod.createTransport(config, logger);
}
