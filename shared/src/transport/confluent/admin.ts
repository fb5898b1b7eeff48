// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import type { KafkaJS } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import type { AdminTransport, TopicState } from "../admin.ts";

/** The topic does not exist (any more): the client's error for it. */
const unknownTopic = (err: unknown) => (err as { type?: string }).type === "ERR_UNKNOWN_TOPIC_OR_PART";

export class ConfluentAdmin implements AdminTransport {
  readonly #admin: KafkaJS.Admin;

  constructor(kafka: KafkaJS.Kafka) {
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
    let topics: Awaited<ReturnType<KafkaJS.Admin["fetchTopicMetadata"]>>;
    try {
      topics = await this.#admin.fetchTopicMetadata({ topics: wanted });
    } catch (err) {
      // The topic list lags a deletion: a topic listed a moment ago may be gone by now.
      if (!unknownTopic(err)) throw err;
      topics = [];
      for (const name of wanted) {
        try {
          topics.push(...(await this.#admin.fetchTopicMetadata({ topics: [name] })));
        } catch (e) {
          if (!unknownTopic(e)) throw e;
        }
      }
    }
    for (const topic of topics) {
      states.set(topic.name, {
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      });
    }
    return states;
  }

  async createTopics(specs: { name: string; partitions: number; replicationFactor: number }[]): Promise<void> {
    // One at a time, so that one topic existing already can't hide the failure of another.
    for (const spec of specs) {
      try {
        await this.#admin.createTopics({
          topics: [{ topic: spec.name, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor }],
        });
      } catch (err) {
        // Two workers starting together both try to create the topics; the loser is fine.
        if (!/already exists/i.test(String((err as Error).message))) throw err;
      }
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    if (names.length > 0) await this.#admin.deleteTopics({ topics: names });
  }

  async endOffsets(topic: string, isolation: "read_committed" | "read_uncommitted" = "read_uncommitted") {
    const offsets = await this.#admin.fetchTopicOffsets(topic, {
      isolationLevel:
        isolation === "read_committed"
          ? confluent.KafkaJS.IsolationLevel.READ_COMMITTED
          : confluent.KafkaJS.IsolationLevel.READ_UNCOMMITTED,
    });
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
