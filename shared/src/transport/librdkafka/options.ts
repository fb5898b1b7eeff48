import type { GroupSettings, KafkaConnection } from "../../runtime/config.ts";
import type { Logger } from "../../runtime/log.ts";

/** What the librdkafka core needs from the worker's configuration, on either native layer. */
export interface LibrdkafkaOptions {
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
  lingerMs: number;
  /** librdkafka's queue.buffering.max.messages: the bound on records waiting locally. */
  maxQueuedMessages?: number;
  /** Produce requests in flight per broker connection (1-5 with idempotence); librdkafka's default is 5. */
  maxInFlight?: number;
  /** The consumers' group protocol (classic when absent). */
  group?: GroupSettings;
}
