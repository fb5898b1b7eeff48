import type { KafkaJS } from "@confluentinc/kafka-javascript";
import type { ConsumedMessage, ConsumerOptions, ConsumerTransport } from "../consumer.ts";

function toHeaders(headers: KafkaJS.IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first.toString();
  }
  return out;
}

export class ConfluentConsumer implements ConsumerTransport {
  readonly #consumer: KafkaJS.Consumer;
  readonly #topics: string[];

  constructor(kafka: KafkaJS.Kafka, options: ConsumerOptions) {
    this.#topics = options.topics;
    this.#consumer = kafka.consumer({
      kafkaJS: {
        groupId: options.groupId,
        fromBeginning: options.fromBeginning,
        // Offsets are committed by us, after the handler succeeded: never on a timer.
        autoCommit: false,
        readUncommitted: false,
      },
      "isolation.level": "read_committed",
    });
  }

  async connect(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: this.#topics });
  }

  async run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void> {
    await this.#consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        await eachMessage({
          topic,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value: message.value ? new Uint8Array(message.value) : null,
          headers: toHeaders(message.headers),
          timestamp: Number(message.timestamp),
        });
      },
    });
  }

  async commit(position: { topic: string; partition: number; offset: string }): Promise<void> {
    await this.#consumer.commitOffsets([position]);
  }

  assignment() {
    return this.#consumer.assignment().map(({ topic, partition }) => ({ topic, partition }));
  }

  async disconnect(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
