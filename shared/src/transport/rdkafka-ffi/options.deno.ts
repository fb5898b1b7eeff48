import type { KafkaConnection } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { LoadedLibrary } from "./library.deno.ts";

export interface FfiOptions {
  lib: LoadedLibrary;
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
  lingerMs: number;
  /** librdkafka's queue.buffering.max.messages: the bound on records waiting locally. */
  maxQueuedMessages?: number;
}
