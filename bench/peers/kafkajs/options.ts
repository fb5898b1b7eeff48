import type { KafkaConnection, Logger } from "@kafka-pair/shared/runtime";

export interface KafkaJsOptions {
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
}
