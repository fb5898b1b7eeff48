import type { ConsumerMetrics } from "../metrics.ts";

export interface RunnerStats {
  processed: number;
  /** Handler calls that threw (each attempt counts). */
  failed: number;
  retried: number;
  deadLettered: number;
  /** Events that broke the contract (dead-lettered at once). */
  invalid: number;
  /** Events sent to the retry topic (non-blocking retries). */
  sentToRetry: number;
  /** Dead-letter (or retry-topic) writes that failed and were tried again. */
  deadLetterWriteFailures: number;
}

/**
 * One subscription's counters and metric series, bound once: label objects hashed per message
 * were measurable. The parts of the runtime report through it; /status reads `stats`.
 */
export class Instruments {
  readonly stats: RunnerStats = {
    processed: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    invalid: 0,
    sentToRetry: 0,
    deadLetterWriteFailures: 0,
  };
  readonly labels: { topic: string; group: string };
  readonly #metrics: ConsumerMetrics;
  readonly #series;

  constructor(metrics: ConsumerMetrics, labels: { topic: string; group: string }) {
    this.#metrics = metrics;
    this.labels = labels;
    this.#series = {
      processed: metrics.processed.labels(labels),
      failed: metrics.failed.labels(labels),
      retried: metrics.retried.labels(labels),
      succeeded: metrics.handlerDuration.labels({ ...labels, outcome: "success" }),
      errored: metrics.handlerDuration.labels({ ...labels, outcome: "error" }),
      writeFailures: metrics.deadLetterWriteFailures.labels(labels),
      sentToRetry: metrics.sentToRetry.labels(labels),
    };
  }

  succeeded(seconds: number, events = 1): void {
    this.stats.processed += events;
    this.#series.processed.inc(events);
    this.#series.succeeded.observe(seconds);
  }

  failed(seconds: number): void {
    this.stats.failed++;
    this.#series.failed.inc();
    this.#series.errored.observe(seconds);
  }

  retried(): void {
    this.stats.retried++;
    this.#series.retried.inc();
  }

  invalid(): void {
    this.stats.invalid++;
  }

  deadLettered(reason: string): void {
    this.stats.deadLettered++;
    this.#metrics.deadLettered.inc({ ...this.labels, reason });
  }

  sentToRetry(): void {
    this.stats.sentToRetry++;
    this.#series.sentToRetry.inc();
  }

  deadLetterWriteFailed(): void {
    this.stats.deadLetterWriteFailures++;
    this.#series.writeFailures.inc();
  }

  commitLatency(seconds: number): void {
    this.#metrics.commitLatency.observe({ group: this.labels.group }, seconds);
  }

  commitFailed(): void {
    this.#metrics.commitFailures.inc({ group: this.labels.group });
  }
}
