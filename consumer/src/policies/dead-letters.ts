import type { Logger } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage, ProduceRecord, ProducerTransport } from "@kafka-pair/shared/transport";
import { backoffDelay } from "../concurrency.ts";
import { type DeadLetterReason, deadLetterRecord } from "../dead-letter.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Instruments } from "../runtime/instruments.ts";
import type { Source } from "../runtime/outputs.ts";

/** The message was given up (its partition revoked, or the worker stopping): it is left uncommitted. */
export class Abandoned extends Error {
  override name = "Abandoned";
}

export interface BackoffSettings {
  backoffMs: number;
  maxBackoffMs: number;
}

/** What /ready says about a subscription's dead letters. */
export interface DeadLetterHealth {
  /** Letters not yet written (their events' offsets are held back meanwhile). */
  waiting: number;
  /** The last write error while some letter is waiting. */
  lastError: string | undefined;
}

/** Where a record written for an event went: its place in the log, or the event's transaction. */
export type Written = { topic: string; partition: number; offset: string } | { topic: string; inTransaction: true };

/** Writes records that must reach Kafka before the offset moves past `source`, the event they are for. */
export interface RecordWriter {
  write(record: ProduceRecord, log: Logger, signal: AbortSignal, source: Source): Promise<Written>;
}

/**
 * Writes records that must get to Kafka before an offset may move past their event (dead
 * letters, retry-topic records): tried again with backoff until Kafka has them, each failure
 * counted; given up only when the partition goes away (then the event stays uncommitted and
 * the next owner handles it again). Never dropped.
 */
export class ReliableWriter implements RecordWriter {
  readonly #producer: ProducerTransport;
  readonly #clock: Clock;
  readonly #backoff: BackoffSettings;
  readonly #instruments: Instruments;
  #waiting = 0;
  #lastError: string | undefined;

  constructor(deps: { producer: ProducerTransport; clock: Clock; backoff: BackoffSettings; instruments: Instruments }) {
    this.#producer = deps.producer;
    this.#clock = deps.clock;
    this.#backoff = deps.backoff;
    this.#instruments = deps.instruments;
  }

  health(): DeadLetterHealth {
    return { waiting: this.#waiting, lastError: this.#waiting > 0 ? this.#lastError : undefined };
  }

  /** Resolves with the record's place once written; rejects with Abandoned only when `signal` aborts. */
  async write(
    record: ProduceRecord,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ topic: string; partition: number; offset: string }> {
    this.#waiting++;
    try {
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw new Abandoned(`partition given up before ${record.topic} was written`);
        try {
          return await this.#producer.send(record);
        } catch (err) {
          this.#instruments.deadLetterWriteFailed();
          this.#lastError = err instanceof Error ? err.message : String(err);
          const delayMs = backoffDelay(attempt, this.#backoff.backoffMs, this.#backoff.maxBackoffMs);
          log.error({ err, attempt, delayMs, topic: record.topic }, "cannot write to Kafka; retrying");
          await this.#clock.sleep(delayMs, signal).catch(() => {
            throw new Abandoned(`partition given up before ${record.topic} was written`);
          });
        }
      }
    } finally {
      this.#waiting--;
    }
  }
}

/** Dead-letter publishing: the record (original key, value, headers + `dlq_*`), written reliably. */
export class DeadLetterPublisher {
  readonly #writer: RecordWriter;
  readonly #topic: string;
  readonly #group: string;
  readonly #clock: Clock;
  readonly #instruments: Instruments;

  constructor(deps: { writer: RecordWriter; topic: string; group: string; clock: Clock; instruments: Instruments }) {
    this.#writer = deps.writer;
    this.#topic = deps.topic;
    this.#group = deps.group;
    this.#clock = deps.clock;
    this.#instruments = deps.instruments;
  }

  /** Resolves once Kafka has the dead letter: only then may the offset move past the event. */
  async publish(
    message: ConsumedMessage,
    failure: { reason: DeadLetterReason; error: unknown; attempts: number },
    log: Logger,
    signal: AbortSignal,
    /** The consumed record the letter is for (the message itself unless it came from the retry topic). */
    source: Source = message,
  ): Promise<void> {
    const record = deadLetterRecord(message, {
      topic: this.#topic,
      ...failure,
      group: this.#group,
      now: new Date(this.#clock.now()),
    });
    const report = await this.#writer.write(record, log, signal, source);
    this.#instruments.deadLettered(failure.reason);
    log.error(
      { err: failure.error, reason: failure.reason, attempts: failure.attempts, deadLetter: report },
      "dead-lettered",
    );
  }
}
