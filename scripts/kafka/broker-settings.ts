/**
 * The one table of broker settings that both clusters share: the launcher writes them into every
 * server.properties, and compose.yaml sets them as the official image's KAFKA_* variables
 * (test/compose.test.ts fails when the two drift apart). Listeners, ports and paths differ by
 * design (loopback ports here, kafka-N hostnames in compose) and are not in the table.
 */
export const CLUSTER_SETTINGS = {
  // Every node is broker and controller: three processes, no ZooKeeper.
  "process.roles": "broker,controller",
  "controller.listener.names": "CONTROLLER",
  "num.partitions": 3,
  "default.replication.factor": 3,
  // With acks=all a write needs two of three replicas: one broker can fail without losing writes.
  "min.insync.replicas": 2,
  // Topics come from the contracts (ensureTopics), never from a typo in a producer.
  "auto.create.topics.enable": false,
  "offsets.topic.replication.factor": 3,
  "transaction.state.log.replication.factor": 3,
  "transaction.state.log.min.isr": 2,
  // Tests join consumer groups constantly; the 3 s default only slows them down.
  "group.initial.rebalance.delay.ms": 0,
} as const satisfies Record<string, string | number | boolean>;

export type ClusterSettings = typeof CLUSTER_SETTINGS;

/**
 * The official apache/kafka image's name for a server property: `KAFKA_` + upper case, with
 * `.` → `_`, `_` → `__` and `-` → `___` (the inverse of its env-to-property rule).
 */
export function kafkaEnvName(property: string): string {
  const escaped = [...property].map((c) => ({ "-": "___", _: "__", ".": "_" })[c] ?? c).join("");
  return `KAFKA_${escaped.toUpperCase()}`;
}

/**
 * The official image's env-to-property rule, which docker/kafka/run implements with sed:
 * KAFKA_ dropped, `_` → `.`, `___` → `-`, `__` → `_`, lower case. Like the image's Go regexp,
 * the first step replaces non-overlapping matches, so KAFKA_A_B_C becomes a.b_c there too.
 */
export function propertyOfEnvName(name: string): string {
  return name
    .replace(/^KAFKA_/, "")
    .replace(/([^_])_([^_])/g, "$1.$2")
    .replace(/___/g, "-")
    .replace(/__/g, "_")
    .toLowerCase();
}
