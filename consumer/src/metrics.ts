import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One partition's consumer lag: records up to the end offset that the group has not committed. */
export interface LagSample {
  topic: string;
  group: string;
  partition: number;
  lag: number;
}

/** The consumer's Prometheus metrics, in a registry of its own (not prom-client's global one). */
export function createConsumerMetrics(lagSamples: () => LagSample[]) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["topic", "group"] as const;
  return {
    registry,
    processed: new Counter({
      name: "consumer_events_processed_total",
      help: "Events whose handler succeeded.",
      labelNames,
      registers: [registry],
    }),
    failed: new Counter({
      name: "consumer_handler_failures_total",
      help: "Handler calls that threw (each attempt counts).",
      labelNames,
      registers: [registry],
    }),
    retried: new Counter({
      name: "consumer_handler_retries_total",
      help: "Handler calls repeated after a failure.",
      labelNames,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "consumer_events_dead_lettered_total",
      help: "Events sent to the topic's dead-letter topic, by reason.",
      labelNames: [...labelNames, "reason"] as const,
      registers: [registry],
    }),
    deadLetterWriteFailures: new Counter({
      name: "consumer_dead_letter_write_failures_total",
      help: "Dead-letter or retry-topic writes that failed (each is tried again with backoff; the event is never dropped).",
      labelNames,
      registers: [registry],
    }),
    sentToRetry: new Counter({
      name: "consumer_events_sent_to_retry_total",
      help: "Failed events moved to the subscription's retry topic (non-blocking retries).",
      labelNames,
      registers: [registry],
    }),
    handlerDuration: new Histogram({
      name: "consumer_handler_duration_seconds",
      help: "Time in the handler per attempt.",
      labelNames: [...labelNames, "outcome"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    commitLatency: new Histogram({
      name: "consumer_commit_duration_seconds",
      help: "Round trip of one offset commit (it may carry many partitions).",
      labelNames: ["group"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commitFailures: new Counter({
      name: "consumer_commit_failures_total",
      help: "Offset commits Kafka refused or that failed to reach it.",
      labelNames: ["group"] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: "consumer_lag",
      help: "Per assigned partition: end offset (last stable under read_committed) minus the committed offset.",
      labelNames: [...labelNames, "partition"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const { topic, group, partition, lag } of lagSamples()) {
          this.set({ topic, group, partition: String(partition) }, lag);
        }
      },
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;
