import type { Logger, WorkerConfig } from "@kafka-pair/shared/runtime";
import type { KafkaTransport } from "@kafka-pair/shared/transport";

export const isDeno = "Deno" in globalThis;

/**
 * The transport TRANSPORT names on the runtime running this file: Node's selection, or Deno's
 * (librdkafka through FFI unless TRANSPORT=platformatic or kafkajs).
 */
export async function runtimeTransport(config: WorkerConfig, logger: Logger): Promise<KafkaTransport> {
  // A computed specifier: tsc (Node types) never reads the Deno-only module.
  const path = isDeno ? "@kafka-pair/shared/transport/deno" : "@kafka-pair/shared/transport/node";
  const mod = await import(path);
  return isDeno ? mod.createDenoTransport(config, logger) : mod.createTransport(config, logger);
}
