import type { ConsumerTransport } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { OffsetTracker } from "../offsets.ts";
import { lagSamples, partitionStatuses } from "./lag.ts";

describe("lag", () => {
  it("reports assigned partitions only, with end minus committed as the lag, and labels retry topics apart", () => {
    const tracker = new OffsetTracker();
    const main0 = { topic: "ns.orders", partition: 0 };
    const main1 = { topic: "ns.orders", partition: 1 };
    const retry0 = { topic: "ns.orders.retry", partition: 0 };
    const gone = { topic: "ns.orders", partition: 2 };
    for (const tp of [main0, main1, retry0, gone]) tracker.assign(tp);
    tracker.seedCommitted({ ...main0, offset: "7" });
    tracker.seedCommitted({ ...retry0, offset: "2" });
    tracker.received(main0, "7");
    const ends: Record<string, string> = { "ns.orders/0": "10", "ns.orders.retry/0": "2", "ns.orders/1": "4" };
    const consumer = {
      assignment: () => [main0, main1, retry0],
      highWatermark: (tp: { topic: string; partition: number }) => ends[`${tp.topic}/${tp.partition}`],
    } as unknown as ConsumerTransport;
    const statuses = partitionStatuses(tracker, consumer);
    expect(statuses).toEqual([
      { topic: "ns.orders", partition: 0, committed: "7", highWatermark: "10", lag: 3, inFlight: 1 },
      { topic: "ns.orders.retry", partition: 0, committed: "2", highWatermark: "2", lag: 0, inFlight: 0 },
      { topic: "ns.orders", partition: 1, committed: undefined, highWatermark: "4", lag: undefined, inFlight: 0 },
    ]);
    const label = (topic: string) => (topic === "ns.orders.retry" ? "orders.retry" : "orders");
    expect(lagSamples(statuses, "g", label)).toEqual([
      { topic: "orders", group: "g", partition: 0, lag: 3 },
      { topic: "orders.retry", group: "g", partition: 0, lag: 0 },
    ]);
  });
});
