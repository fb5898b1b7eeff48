import type { AdminTransport, TopicSpec, TopicState } from "../admin.ts";
import type { MemoryCluster } from "./cluster.ts";

/** Topic and offset administration on the in-memory cluster. */
export class MemoryAdmin implements AdminTransport {
  readonly #cluster: MemoryCluster;

  constructor(cluster: MemoryCluster) {
    this.#cluster = cluster;
  }

  async connect(): Promise<void> {
    this.#cluster.check("connect");
  }

  async describeTopics(names: string[]): Promise<Map<string, TopicState>> {
    this.#cluster.check("admin");
    const found = new Map<string, TopicState>();
    for (const name of names) {
      const log = this.#cluster.topics.get(name);
      if (log) found.set(name, { name, partitions: log.partitions.length, replicationFactor: log.replicationFactor });
    }
    return found;
  }

  async createTopics(specs: TopicSpec[]): Promise<void> {
    this.#cluster.check("admin");
    for (const spec of specs) this.#cluster.createTopic(spec.name, spec.partitions, spec.replicationFactor);
  }

  async deleteTopics(names: string[]): Promise<void> {
    this.#cluster.check("admin");
    for (const name of names) this.#cluster.topics.delete(name);
  }

  async endOffsets(topic: string, isolation?: "read_committed" | "read_uncommitted"): Promise<Map<number, string>> {
    const log = this.#cluster.log(topic);
    return new Map(
      log.partitions.map((_, partition) => [
        partition,
        String(this.#cluster.endOffset({ topic, partition }, isolation)),
      ]),
    );
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const log = this.#cluster.log(topic);
    const offsets = new Map<number, string>();
    log.partitions.forEach((_, partition) => {
      const offset = this.#cluster.committed(groupId, { topic, partition });
      if (offset !== undefined) offsets.set(partition, String(offset));
    });
    return offsets;
  }

  async disconnect(): Promise<void> {}
}
