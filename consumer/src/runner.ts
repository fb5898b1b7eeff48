import type { ConsumerSettings } from "@kafka-pair/shared/config";
import { deadLetterTopicOf, decodeValue, type EventOf } from "@kafka-pair/shared/contracts";
import { cloudEventFrom, traceContextFrom } from "@kafka-pair/shared/envelope";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Logger } from "@kafka-pair/shared/log";
import type { Namespace } from "@kafka-pair/shared/namespace";
import type {
  ConsumedMessage,
  ConsumerTransport,
  KafkaTransport,
  ProducerTransport,
  TopicPartition,
} from "@kafka-pair/shared/transport";
import { CommitCoalescer } from "./commits.ts";
import { backoffDelay, Semaphore, sleep } from "./concurrency.ts";
import { type DeadLetterReason, deadLetterRecord } from "./dead-letter.ts";
import type { MessageContext, Subscription } from "./handler.ts";
import type { ConsumerMetrics, LagSample } from "./metrics.ts";
import { OffsetTracker } from "./offsets.ts";

export interface RunnerStats {
  processed: number;
  /** Handler calls that threw (each attempt counts). */
  failed: number;
  retried: number;
  deadLettered: number;
  /** Events that broke the contract (dead-lettered at once). */
  invalid: number;
}

export interface PartitionStatus {
  partition: number;
  committed: string | undefined;
  highWatermark: string | undefined;
  lag: number | undefined;
  inFlight: number;
}

export interface RunnerDeps {
  transport: KafkaTransport;
  /** Writes dead letters; shared by the worker's runners. */
  producer: ProducerTransport;
  subscription: Subscription;
  namespace: Namespace;
  logger: Logger;
  metrics: ConsumerMetrics;
  settings: ConsumerSettings;
}

const never = new AbortController().signal;

/** The message was given up (its partition revoked, or the worker stopping): it is left uncommitted. */
class Abandoned extends Error {
  override name = "Abandoned";
}

/**
 * One consumer group reading one contract topic: the listener container. Each message is
 * checked against the contract, handed to the handler (retried with backoff, then
 * dead-lettered), and its offset + 1 committed once it and every earlier message of its
 * partition are done, by a coalescing committer (one commit in flight per group).
 */
export class SubscriptionRunner {
  readonly subscription: Subscription;
  readonly stats: RunnerStats = { processed: 0, failed: 0, retried: 0, deadLettered: 0, invalid: 0 };
  readonly #deps: RunnerDeps;
  readonly #consumer: ConsumerTransport;
  readonly #logger: Logger;
  readonly #tracker: OffsetTracker;
  /** Nudges the committer now and then: a transaction's marker may arrive after its last record was done. */
  #idleCommits: ReturnType<typeof setInterval> | undefined;
  readonly #committer: CommitCoalescer;
  readonly #slots: Semaphore;
  readonly #labels: { topic: string; group: string };
  /** This runner's metric series, bound once: label objects hashed per message were measurable. */
  readonly #series: {
    processed: { inc(): void };
    failed: { inc(): void };
    retried: { inc(): void };
    succeeded: { observe(seconds: number): void };
    errored: { observe(seconds: number): void };
  };
  readonly #deadLetterTopic: string;

  constructor(deps: RunnerDeps) {
    const { subscription, namespace: ns, settings, metrics } = deps;
    const dlq = deadLetterTopicOf(subscription.contract);
    if (!dlq) {
      throw new KafkaPairError(
        "CONFIG_INVALID",
        `topic ${subscription.contract.name} declares no dead-letter topic; its contract needs \`deadLetter\``,
      );
    }
    this.#deps = deps;
    this.subscription = subscription;
    this.#deadLetterTopic = ns.topic(dlq);
    this.#labels = { topic: subscription.contract.name, group: subscription.groupId };
    this.#series = {
      processed: metrics.processed.labels(this.#labels),
      failed: metrics.failed.labels(this.#labels),
      retried: metrics.retried.labels(this.#labels),
      succeeded: metrics.handlerDuration.labels({ ...this.#labels, outcome: "success" }),
      errored: metrics.handlerDuration.labels({ ...this.#labels, outcome: "error" }),
    };
    this.#logger = deps.logger.child({ topic: subscription.contract.name, groupId: subscription.groupId });
    this.#slots = new Semaphore(settings.concurrency);
    this.#tracker = new OffsetTracker((tp) => this.#consumer.position(tp));
    this.#consumer = deps.transport.consumer({
      groupId: ns.group(subscription.groupId),
      topics: [ns.topic(subscription.contract.name)],
      fromBeginning: subscription.fromBeginning,
      revokeTimeoutMs: settings.revokeTimeoutMs,
      maxBufferedPerPartition: settings.maxBufferedPerPartition,
    });
    const send = this.#consumer.commitMany.bind(this.#consumer);
    this.#committer = new CommitCoalescer(this.#tracker, send, {
      committed: (_positions, seconds) => metrics.commitLatency.observe({ group: subscription.groupId }, seconds),
      failed: (err) => {
        metrics.commitFailures.inc({ group: subscription.groupId });
        this.#logger.warn({ err }, "offset commit failed; it will be retried");
      },
    });
  }

  async start(): Promise<void> {
    const consumer = this.#consumer;
    consumer.onRebalance({
      onAssign: (partitions) => this.#onAssign(partitions),
      onRevoke: (partitions, { lost }) => this.#onRevoke(partitions, lost),
    });
    await consumer.connect();
    await consumer.run((message) => this.#onMessage(message));
    this.#idleCommits = setInterval(() => this.#committer.notify(), 1_000);
    this.#idleCommits.unref?.();
    this.#logger.info({ concurrency: this.#deps.settings.concurrency }, "subscribed");
  }

  #onAssign(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.#tracker.assign(tp);
    // The committed offsets are only needed for the lag until this member commits; no need to wait.
    this.#consumer
      .committed(partitions)
      .then((positions) => {
        for (const position of positions) this.#tracker.seedCommitted(position);
      })
      .catch((err) => this.#logger.warn({ err }, "could not read committed offsets"));
  }

  async #onRevoke(partitions: TopicPartition[], lost: boolean): Promise<void> {
    // A lost assignment belongs to someone else already: committing it would be a zombie's commit.
    if (!lost) {
      try {
        await this.#committer.flush();
      } catch (err) {
        this.#logger.error({ err }, "final commit before revocation failed; the next owner will repeat those events");
      }
    }
    for (const tp of partitions) this.#tracker.revoke(tp);
  }

  isReady(): boolean {
    return this.#consumer.isJoined();
  }

  assignment(): TopicPartition[] {
    return this.#consumer.assignment();
  }

  partitions(): PartitionStatus[] {
    const assigned = new Set(this.#consumer.assignment().map((tp) => tp.partition));
    return this.#tracker
      .snapshot()
      .filter((s) => assigned.has(s.partition))
      .map((s) => {
        const highWatermark = this.#consumer.highWatermark(s);
        const lag =
          highWatermark !== undefined && s.committed !== undefined
            ? Math.max(0, Number(BigInt(highWatermark) - BigInt(s.committed)))
            : undefined;
        return { partition: s.partition, committed: s.committed, highWatermark, lag, inFlight: s.pending };
      });
  }

  lagSamples(): LagSample[] {
    return this.partitions().flatMap((p) =>
      p.lag === undefined ? [] : [{ ...this.#labels, partition: p.partition, lag: p.lag }],
    );
  }

  async #onMessage(message: ConsumedMessage): Promise<void> {
    const ticket = this.#tracker.received(message, message.offset);
    // Throws only when the message is abandoned: then it stays uncommitted for the next owner.
    await this.#process(message, message.signal ?? never);
    this.#tracker.done(ticket);
    this.#committer.notify();
  }

  async #process(message: ConsumedMessage, signal: AbortSignal): Promise<void> {
    const { subscription, settings } = this.#deps;
    const series = this.#series;
    const cloudEvent = cloudEventFrom(message.headers);
    const trace = traceContextFrom(message.headers);
    // One child logger per message, not two: pino serialises a child's bindings when it is made.
    const eventLog = this.#logger.child({
      partition: message.partition,
      offset: message.offset,
      eventId: cloudEvent?.id,
      traceId: trace?.traceId,
    });
    let event: EventOf<typeof subscription.contract>;
    try {
      event = decodeValue(subscription.contract, message.value);
    } catch (err) {
      // A record that breaks the contract can never succeed: no retry, straight to the dead letters.
      this.stats.invalid++;
      await this.#deadLetter(message, "contract-violation", err, 0, eventLog, signal);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new Abandoned("partition given up before the handler ran");
      const context: MessageContext = {
        topic: subscription.contract.name,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        headers: message.headers,
        timestamp: message.timestamp,
        cloudEvent,
        trace,
        attempt,
        signal,
        logger: eventLog,
      };
      const started = performance.now();
      try {
        await this.#slots.run(() => subscription.handle(event, context));
        series.succeeded.observe((performance.now() - started) / 1000);
        this.stats.processed++;
        series.processed.inc();
        // Per message, so debug: at info it cost a synchronous stdout write per event (the handler logs its own line).
        eventLog.debug({ attempt }, "processed");
        return;
      } catch (err) {
        series.errored.observe((performance.now() - started) / 1000);
        this.stats.failed++;
        series.failed.inc();
        if (attempt > settings.maxRetries) {
          await this.#deadLetter(message, "handler-failed", err, attempt, eventLog, signal);
          return;
        }
        const delayMs = backoffDelay(attempt, settings.retryBackoffMs, settings.retryMaxBackoffMs);
        eventLog.warn({ err, attempt, delayMs }, "handler failed; retrying");
        this.stats.retried++;
        series.retried.inc();
        await sleep(delayMs, signal).catch(() => {
          throw new Abandoned("partition given up while waiting to retry");
        });
      }
    }
  }

  /** Writes the dead letter, retrying until Kafka has it: only then may the offset move past the event. */
  async #deadLetter(
    message: ConsumedMessage,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
    log: Logger,
    signal: AbortSignal,
  ): Promise<void> {
    const { producer, metrics, settings, subscription } = this.#deps;
    const record = deadLetterRecord(message, {
      topic: this.#deadLetterTopic,
      reason,
      error,
      attempts,
      group: subscription.groupId,
      now: new Date(),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const report = await producer.send(record);
        this.stats.deadLettered++;
        metrics.deadLettered.inc({ ...this.#labels, reason });
        log.error(
          {
            err: error,
            reason,
            attempts,
            deadLetter: { topic: report.topic, partition: report.partition, offset: report.offset },
          },
          "dead-lettered",
        );
        return;
      } catch (err) {
        log.error({ err, attempt }, "cannot write the dead letter; retrying");
        await sleep(backoffDelay(attempt, settings.retryBackoffMs, settings.retryMaxBackoffMs), signal).catch(() => {
          throw new Abandoned("partition given up before the dead letter was written");
        });
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#idleCommits);
    // The adapter finishes the messages in hand and calls onRevoke (the final commit) before leaving.
    await this.#consumer.disconnect();
    this.#committer.close();
    this.#logger.info({ ...this.stats }, "left the group");
  }
}
