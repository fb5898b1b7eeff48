import { describe, expect, it } from "vitest";
import { createConsumerMetrics } from "../metrics.ts";
import { Instruments } from "./instruments.ts";

describe("Instruments", () => {
  it("counts into the stats and the subscription's labelled series", async () => {
    const metrics = createConsumerMetrics(() => []);
    const i = new Instruments(metrics, { topic: "orders", group: "g" });
    i.succeeded(0.002);
    i.succeeded(0.004, 3);
    i.failed(0.5);
    i.retried();
    i.invalid();
    i.deadLettered("handler-failed");
    i.sentToRetry();
    i.deadLetterWriteFailed();
    i.commitLatency(0.01);
    i.commitFailed();
    expect(i.stats).toEqual({
      processed: 4,
      failed: 1,
      retried: 1,
      deadLettered: 1,
      invalid: 1,
      sentToRetry: 1,
      deadLetterWriteFailures: 1,
    });
    const text = await metrics.registry.metrics();
    const labels = 'topic="orders",group="g"';
    expect(text).toContain(`consumer_events_processed_total{${labels}} 4`);
    expect(text).toContain(`consumer_handler_failures_total{${labels}} 1`);
    expect(text).toContain(`consumer_handler_retries_total{${labels}} 1`);
    expect(text).toContain(`consumer_events_dead_lettered_total{${labels},reason="handler-failed"} 1`);
    expect(text).toContain(`consumer_events_sent_to_retry_total{${labels}} 1`);
    expect(text).toContain(`consumer_dead_letter_write_failures_total{${labels}} 1`);
    expect(text).toContain(`consumer_handler_duration_seconds_count{${labels},outcome="success"} 2`);
    expect(text).toContain(`consumer_handler_duration_seconds_count{${labels},outcome="error"} 1`);
    expect(text).toContain(`consumer_handler_duration_seconds_bucket{le="0.001",${labels},outcome="success"} 0`);
    expect(text).toContain('consumer_commit_duration_seconds_count{group="g"} 1');
    expect(text).toContain('consumer_commit_failures_total{group="g"} 1');
  });
});
