/**
 * The small surface the workers need from a Kafka client. One adapter per client
 * (Confluent/librdkafka on Node; a pure-JS client where native addons can't load)
 * implements it, so the HTTP apps and the consumer runtime never import a client directly.
 */

import type { AdminTransport } from "./admin.ts";
import type { ConsumerOptions, ConsumerTransport } from "./consumer.ts";
import type { ProducerTransport } from "./producer.ts";

export type * from "./admin.ts";
export type * from "./consumer.ts";
export type * from "./headers.ts";
export type * from "./producer.ts";

export interface KafkaTransport {
  readonly name: string;
  producer(): ProducerTransport;
  consumer(options: ConsumerOptions): ConsumerTransport;
  admin(): AdminTransport;
}
