import { describe, expect, it } from "vitest";
import { consumerMetricsReader, processedByGroup } from "./consumer-metrics.ts";

const text = `# HELP consumer_events_processed_total Events whose handler succeeded.
# TYPE consumer_events_processed_total counter
consumer_events_processed_total{topic="orders",group="orders_group"} 42
consumer_events_processed_total{topic="health",group="health_group"} 7
consumer_events_processed_total{topic="other",group="orders_group"} 1
consumer_handler_failures_total{topic="orders",group="orders_group"} 3
`;

describe("consumer metrics", () => {
  it("sums the processed counter per group, under the console's namespace", () => {
    expect(processedByGroup(text, (g) => `staging.${g}`)).toEqual(
      new Map([
        ["staging.orders_group", 43],
        ["staging.health_group", 7],
      ]),
    );
  });

  it("gives undefined when the worker does not answer or answers an error", async () => {
    const down = consumerMetricsReader(
      "http://127.0.0.1:3001",
      (g) => g,
      async () => {
        throw new TypeError("fetch failed");
      },
    );
    expect(await down()).toBeUndefined();
    const failing = consumerMetricsReader(
      "http://127.0.0.1:3001",
      (g) => g,
      async () => new Response("", { status: 503 }),
    );
    expect(await failing()).toBeUndefined();
    const urls: string[] = [];
    const up = consumerMetricsReader(
      "http://127.0.0.1:3001/",
      (g) => g,
      async (url) => {
        urls.push(url);
        return new Response(text);
      },
    );
    expect((await up())?.get("orders_group")).toBe(43);
    expect(urls).toEqual(["http://127.0.0.1:3001/metrics"]);
  });
});
