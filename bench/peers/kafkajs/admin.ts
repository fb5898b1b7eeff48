import type { AdminTransport, TopicSpec, TopicState } from "@kafka-pair/shared/transport";
import type { Admin, Kafka } from "kafkajs";

export class KafkaJsAdmin implements AdminTransport {
  readonly #admin: Admin;

  constructor(kafka: Kafka) {
    this.#admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.#admin.connect();
  }

  async describeTopics(names: string[]): Promise<Map<string, TopicState>> {
    const existing = new Set(await this.#admin.listTopics());
    const wanted = names.filter((name) => existing.has(name));
    const states = new Map<string, TopicState>();
    if (wanted.length === 0) return states;
    const { topics } = await this.#admin.fetchTopicMetadata({ topics: wanted });
    for (const topic of topics) {
      states.set(topic.name, {
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      });
    }
    return states;
  }

  async createTopics(specs: TopicSpec[]): Promise<void> {
    // One at a time, so that one topic existing already can't hide the failure of another;
    // KafkaJS resolves false (no throw) for a topic that already exists.
    for (const spec of specs) {
      await this.#admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: spec.name, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor }],
      });
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    if (names.length > 0) await this.#admin.deleteTopics({ topics: names });
  }

  /**
   * KafkaJS's admin always lists offsets read_committed, so both isolations answer with the
   * last stable offset; it equals the high watermark unless a transaction is open.
   */
  async endOffsets(topic: string, _isolation: "read_committed" | "read_uncommitted" = "read_uncommitted") {
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, p.offset]));
  }

  async committedOffsets(groupId: string, topic: string) {
    const result = await this.#admin.fetchOffsets({ groupId, topics: [topic] });
    const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
    return new Map(partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, p.offset]));
  }

  disconnect(): Promise<void> {
    return this.#admin.disconnect();
  }
}
