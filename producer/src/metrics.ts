import type { ProducerStats } from "@kafka-pair/shared/transport";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The producer's Prometheus metrics, in a registry of its own (no global state). */
export function createProducerMetrics(stats: () => ProducerStats | undefined) {
  const registry = new Registry();
  const httpRequests = new Counter({
    name: "producer_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const recordsProduced = new Counter({
    name: "producer_records_produced_total",
    help: "Records acknowledged by Kafka",
    labelNames: ["topic"] as const,
    registers: [registry],
  });
  const recordsFailed = new Counter({
    name: "producer_records_failed_total",
    help: "Records not stored, by error code",
    labelNames: ["topic", "code"] as const,
    registers: [registry],
  });
  const deliveryLatency = new Histogram({
    name: "producer_delivery_latency_seconds",
    help: "From produce() to the delivery report",
    labelNames: ["topic"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // librdkafka's statistics, read at scrape time.
  new Gauge({
    name: "producer_queue_messages",
    help: "Records in the client's queue or in flight",
    registers: [registry],
    collect() {
      this.set(stats()?.queuedMessages ?? 0);
    },
  });
  new Gauge({
    name: "producer_queue_bytes",
    help: "Bytes in the client's queue or in flight",
    registers: [registry],
    collect() {
      this.set(stats()?.queuedBytes ?? 0);
    },
  });
  new Gauge({
    name: "producer_brokers_up",
    help: "Brokers the client has a working connection to",
    registers: [registry],
    collect() {
      this.set(stats()?.brokersUp ?? 0);
    },
  });
  const brokerGauge = (name: string, help: string, pick: (b: ProducerStats["brokers"][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["broker"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const broker of stats()?.brokers ?? []) this.set({ broker: broker.name }, pick(broker));
      },
    });
  brokerGauge("producer_broker_rtt_avg_seconds", "Average broker round trip", (b) => b.rttAvgMs / 1000);
  brokerGauge("producer_broker_tx_retries", "Produce request retries to this broker (since start)", (b) => b.txRetries);
  brokerGauge("producer_broker_tx_errors", "Produce request errors to this broker (since start)", (b) => b.txErrors);

  return { registry, httpRequests, recordsProduced, recordsFailed, deliveryLatency };
}

export type ProducerMetrics = ReturnType<typeof createProducerMetrics>;
