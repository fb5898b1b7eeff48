import { Admin, FetchIsolationLevels } from "@platformatic/kafka";
import type { AdminTransport, TopicSpec, TopicState } from "../admin.ts";
import { apiIds } from "./errors.ts";
import { baseOptions, type PlatformaticOptions } from "./options.ts";

/** The broker's "latest" timestamp: ListOffsets answers with the offset the next record will get. */
const LATEST = -1n;

export class PlatformaticAdmin implements AdminTransport {
  readonly #admin: Admin;

  constructor(options: PlatformaticOptions) {
    this.#admin = new Admin(baseOptions(options));
  }

  async connect(): Promise<void> {
    // The client connects on first use; asking for metadata proves the cluster answers.
    await this.#admin.metadata({ topics: [] });
  }

  async describeTopics(names: string[]): Promise<Map<string, TopicState>> {
    const existing = new Set(await this.#admin.listTopics());
    const wanted = names.filter((name) => existing.has(name));
    const states = new Map<string, TopicState>();
    if (wanted.length === 0) return states;
    const metadata = await this.#admin.metadata({ topics: wanted, forceUpdate: true });
    for (const name of wanted) {
      const topic = metadata.topics.get(name);
      if (!topic) continue;
      states.set(name, {
        name,
        partitions: topic.partitionsCount,
        replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      });
    }
    return states;
  }

  async createTopics(specs: TopicSpec[]): Promise<void> {
    // One at a time, so that one topic existing already can't hide the failure of another.
    for (const spec of specs) {
      try {
        await this.#admin.createTopics({
          topics: [spec.name],
          partitions: spec.partitions,
          replicas: spec.replicationFactor,
        });
      } catch (err) {
        // Two workers starting together both try to create the topics; the loser is fine.
        if (!apiIds(err).includes("TOPIC_ALREADY_EXISTS")) throw err;
      }
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    if (names.length > 0) await this.#admin.deleteTopics({ topics: names });
  }

  async endOffsets(topic: string, isolation: "read_committed" | "read_uncommitted" = "read_uncommitted") {
    const metadata = await this.#admin.metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const [listed] = await this.#admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: LATEST })),
        },
      ],
      isolationLevel:
        isolation === "read_committed" ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
    });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset.toString()]));
  }

  async committedOffsets(groupId: string, topic: string) {
    const [group] = await this.#admin.listConsumerGroupOffsets({ groups: [groupId] });
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(
      partitions.filter((p) => p.committedOffset >= 0n).map((p) => [p.partitionIndex, p.committedOffset.toString()]),
    );
  }

  disconnect(): Promise<void> {
    return this.#admin.close();
  }
}
