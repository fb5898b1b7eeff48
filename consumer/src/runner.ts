import { decodeValue } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Logger } from "@kafka-pair/shared/log";
import type { Namespace } from "@kafka-pair/shared/namespace";
import type { ConsumedMessage, ConsumerTransport, KafkaTransport } from "@kafka-pair/shared/transport";
import type { Subscription } from "./handler.ts";

export interface RunnerStats {
  processed: number;
  failed: number;
  invalid: number;
}

/**
 * One consumer group reading one contract topic. Each message is decoded and checked
 * against the contract, handed to the handler, and its offset + 1 committed right after
 * the handler succeeded (Spring's MANUAL_IMMEDIATE). A throwing handler commits nothing,
 * so the message is read again.
 */
export class SubscriptionRunner {
  readonly subscription: Subscription;
  readonly stats: RunnerStats = { processed: 0, failed: 0, invalid: 0 };
  readonly #consumer: ConsumerTransport;
  readonly #logger: Logger;

  constructor(transport: KafkaTransport, subscription: Subscription, ns: Namespace, logger: Logger) {
    this.subscription = subscription;
    this.#logger = logger.child({ topic: subscription.contract.name, groupId: subscription.groupId });
    this.#consumer = transport.consumer({
      groupId: ns.group(subscription.groupId),
      topics: [ns.topic(subscription.contract.name)],
      fromBeginning: subscription.fromBeginning,
    });
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.run((message) => this.#onMessage(message));
    this.#logger.info("subscribed");
  }

  isAssigned(): boolean {
    return this.#consumer.assignment().length > 0;
  }

  async #onMessage(message: ConsumedMessage): Promise<void> {
    const { partition, offset } = message;
    const log = this.#logger.child({ partition, offset });
    let event: unknown;
    try {
      event = decodeValue(this.subscription.contract, message.value);
    } catch (err) {
      // A record that breaks the contract can never succeed; retrying it would stall the partition.
      this.stats.invalid++;
      log.error({ err: err instanceof KafkaPairError ? err.toJSON().error : err }, "skipped invalid record");
      await this.#commitNext(message);
      return;
    }
    try {
      await this.subscription.handle(event, { ...message, logger: log });
    } catch (err) {
      this.stats.failed++;
      log.warn({ err }, "handler failed; the message will be read again");
      throw err;
    }
    await this.#commitNext(message);
    this.stats.processed++;
    log.info("processed");
  }

  #commitNext(message: ConsumedMessage): Promise<void> {
    // Kafka's committed offset is the next one to read, not the one just processed.
    const next = (BigInt(message.offset) + 1n).toString();
    return this.#consumer.commit({ topic: message.topic, partition: message.partition, offset: next });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
    this.#logger.info({ ...this.stats }, "left the group");
  }
}
