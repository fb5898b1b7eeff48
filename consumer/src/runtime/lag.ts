import type { ConsumerTransport } from "@kafka-pair/shared/transport";
import type { LagSample } from "../metrics.ts";
import type { OffsetTracker } from "../offsets.ts";

export interface PartitionStatus {
  topic: string;
  partition: number;
  committed: string | undefined;
  highWatermark: string | undefined;
  lag: number | undefined;
  /** Received and not finished (running, waiting for their key, or being retried). */
  inFlight: number;
}

/** Per assigned partition: committed offset, end offset and lag (end minus committed). */
export function partitionStatuses(tracker: OffsetTracker, consumer: ConsumerTransport): PartitionStatus[] {
  const assigned = new Set(consumer.assignment().map((tp) => `${tp.topic}\u0000${tp.partition}`));
  return tracker
    .snapshot()
    .filter((s) => assigned.has(`${s.topic}\u0000${s.partition}`))
    .map((s) => {
      const highWatermark = consumer.highWatermark(s);
      const lag =
        highWatermark !== undefined && s.committed !== undefined
          ? Math.max(0, Number(BigInt(highWatermark) - BigInt(s.committed)))
          : undefined;
      return {
        topic: s.topic,
        partition: s.partition,
        committed: s.committed,
        highWatermark,
        lag,
        inFlight: s.pending,
      };
    });
}

/** The lag gauge's samples for these partitions (those with a known lag); `topicLabel` names a full topic name. */
export function lagSamples(
  statuses: PartitionStatus[],
  group: string,
  topicLabel: (topic: string) => string,
): LagSample[] {
  return statuses.flatMap((p) =>
    p.lag === undefined ? [] : [{ topic: topicLabel(p.topic), group, partition: p.partition, lag: p.lag }],
  );
}
