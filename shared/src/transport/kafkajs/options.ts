import type { KafkaConnection } from "../../config.ts";
import type { Logger } from "../../log.ts";

export interface KafkaJsOptions {
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
}
