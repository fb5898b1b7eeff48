/**
 * A prefix applied to every Kafka topic and consumer group the workers touch, so that
 * several environments (or test runs) can share one cluster without seeing each other.
 * Contracts and HTTP paths keep their logical names: `/topics/orders` writes to `<prefix>orders`.
 */
export interface Namespace {
  readonly prefix: string;
  topic(logicalName: string): string;
  group(groupId: string): string;
}

export function namespace(prefix = ""): Namespace {
  return {
    prefix,
    topic: (logicalName) => `${prefix}${logicalName}`,
    group: (groupId) => `${prefix}${groupId}`,
  };
}
