import type { KafkaConnection } from "@kafka-pair/shared/config";
import type { Logger } from "@kafka-pair/shared/log";

export interface KafkaJsOptions {
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
}
