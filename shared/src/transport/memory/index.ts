import type { ConsumerOptions } from "../consumer.ts";
import type { KafkaTransport } from "../types.ts";
import { MemoryAdmin } from "./admin.ts";
import { MemoryCluster } from "./cluster.ts";
import { MemoryConsumer } from "./consumer.ts";
import { MemoryProducer, type MemoryProducerOptions } from "./producer.ts";

export type { Failure, FailureKind, FailurePoint, JournalEntry, LogEntry } from "./cluster.ts";
export { failureError, MemoryCluster } from "./cluster.ts";
export { MemoryConsumer } from "./consumer.ts";
export { murmur2, partitionForKey } from "./murmur2.ts";
export { MemoryProducer } from "./producer.ts";

export interface MemoryTransport extends KafkaTransport {
  readonly cluster: MemoryCluster;
  /** Every producer and consumer this transport made, for tests that look inside. */
  readonly producers: MemoryProducer[];
  readonly consumers: MemoryConsumer[];
  producer(): MemoryProducer;
  consumer(options: ConsumerOptions): MemoryConsumer;
}

/**
 * A Kafka transport that lives in the test's process: the same interfaces the Confluent,
 * KafkaJS and platformatic adapters implement, backed by a MemoryCluster. No Kafka client is
 * imported, so the unit project needs no broker, no JVM and no native addon.
 */
export function memoryTransport(
  cluster = new MemoryCluster(),
  producerOptions: MemoryProducerOptions = {},
): MemoryTransport {
  const producers: MemoryProducer[] = [];
  const consumers: MemoryConsumer[] = [];
  return {
    name: "memory",
    cluster,
    producers,
    consumers,
    producer() {
      const producer = new MemoryProducer(cluster, producerOptions);
      producers.push(producer);
      return producer;
    },
    consumer(options: ConsumerOptions) {
      const consumer = new MemoryConsumer(cluster, options);
      consumers.push(consumer);
      return consumer;
    },
    admin: () => new MemoryAdmin(cluster),
  };
}
