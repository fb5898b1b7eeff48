// librdkafka's configuration dictionaries, built once for both native layers: what a producer,
// a consumer or an admin handle is given is decided here and nowhere else.
import type { GroupSettings, KafkaConnection } from "../../runtime/config.ts";
import type { ConsumerOptions } from "../consumer.ts";
import type { Properties } from "./native.ts";
import type { LibrdkafkaOptions } from "./options.ts";

/** The shortest transaction.timeout.ms given: a transaction's records and offsets are sent within it. */
export const MIN_TRANSACTION_TIMEOUT_MS = 10_000;

/** Every handle: where the cluster is, who we are, how to authenticate. */
export function connectionProperties(connection: KafkaConnection): Properties {
  return {
    "bootstrap.servers": connection.bootstrapServers,
    "client.id": connection.clientId,
    ...connection.security,
  };
}

/** An idempotent producer (acks=all); transactional when given a transactional.id. */
export function producerProperties(options: LibrdkafkaOptions, transactionalId?: string): Properties {
  return {
    ...connectionProperties(options.connection),
    // No duplicates or reordering from internal retries; every record acknowledged by all in-sync replicas.
    "enable.idempotence": true,
    acks: -1,
    "delivery.timeout.ms": options.deliveryTimeoutMs,
    "linger.ms": options.lingerMs,
    // Java's key hashing: a key maps to the same partition from every client (Deno's, Java services').
    partitioner: "murmur2_random",
    "queue.buffering.max.messages": options.maxQueuedMessages ?? 100_000,
    ...(options.maxInFlight ? { "max.in.flight.requests.per.connection": options.maxInFlight } : {}),
    // Readiness and the /metrics gauges come from the statistics.
    "statistics.interval.ms": 1000,
    // A connection to every broker, not just the leaders in use, so the statistics' brokers-up
    // count is the cluster's reachability (writableCluster needs it).
    "enable.sparse.connections": false,
    // A member killed inside a transaction leaves it open: read_committed readers of what it wrote
    // and the next owner of its partitions (whose committed offsets wait for it) stall until the
    // broker aborts it after transaction.timeout.ms. Short, then, but never below the delivery
    // timeout (librdkafka refuses a message.timeout.ms above it).
    ...(transactionalId
      ? {
          "transactional.id": transactionalId,
          "transaction.timeout.ms": Math.max(options.deliveryTimeoutMs, MIN_TRANSACTION_TIMEOUT_MS),
        }
      : {}),
  };
}

/**
 * How the member takes part in its group. Classic: client-side cooperative-sticky assignment
 * (incremental rebalances: partitions that stay with a member keep flowing). KIP-848's consumer
 * protocol: the broker assigns and times the session, so librdkafka refuses the classic
 * settings (partition.assignment.strategy, session.timeout.ms, heartbeat.interval.ms) there.
 */
export function groupProperties(group: GroupSettings = { protocol: "classic" }): Properties {
  if (group.protocol === "consumer") {
    return {
      "group.protocol": "consumer",
      ...(group.remoteAssignor ? { "group.remote.assignor": group.remoteAssignor } : {}),
    };
  }
  // group.protocol left at its default (classic): librdkafka before 2.4 (Debian's 2.0.2) has no such property.
  return {
    "partition.assignment.strategy": "cooperative-sticky",
    ...(group.sessionTimeoutMs !== undefined ? { "session.timeout.ms": group.sessionTimeoutMs } : {}),
    ...(group.heartbeatIntervalMs !== undefined ? { "heartbeat.interval.ms": group.heartbeatIntervalMs } : {}),
  };
}

/** A read_committed group member whose offsets are committed by the worker once handled. */
export function consumerProperties(
  connection: KafkaConnection,
  options: ConsumerOptions,
  group?: GroupSettings,
): Properties {
  return {
    ...connectionProperties(connection),
    "group.id": options.groupId,
    "isolation.level": "read_committed",
    ...groupProperties(group),
    // Offsets are committed by the worker once handled, never on a timer.
    "enable.auto.commit": false,
    "enable.auto.offset.store": false,
    "auto.offset.reset": options.fromBeginning ? "earliest" : "latest",
  };
}
