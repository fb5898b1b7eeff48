import type { ConsoleCluster, StoredRecord, TopicInfo } from "../cluster/types.ts";

export const MAX_LIMIT = 500;
export const MAX_SCAN = 100_000;
export const DEFAULT_SCAN = 10_000;

export interface BrowseQuery {
  /** One partition, or all of them. */
  partition?: number;
  /** With a partition: the newest offset to show (inclusive); the partition's end otherwise. */
  offset?: bigint;
  /** Records from this time on (epoch ms), instead of the newest. */
  since?: number;
  /** Only records whose key (as text) is this, among the last `scan` records of each partition. */
  key?: string;
  scan?: number;
  limit: number;
}

export interface BrowseResult {
  /** Newest first. */
  records: StoredRecord[];
  /** Per partition, the offsets read [from, to): what a key search covered, or what the page shows. */
  ranges: Array<{ partition: number; from: bigint; to: bigint }>;
  /** With one partition: the offset of the page before this one (older records), if any. */
  older: bigint | undefined;
}

const newestFirst = (a: StoredRecord, b: StoredRecord) =>
  b.timestamp - a.timestamp || a.partition - b.partition || Number(BigInt(b.offset) - BigInt(a.offset));

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Reads one page of a topic, newest first: the last `limit` records of each partition (or of
 * one, up to an offset), the first `limit` from a time on, or the records with a key among a
 * bounded range. Reads go through `cluster.read`, which assigns without a group.
 */
export async function browse(cluster: ConsoleCluster, topic: TopicInfo, query: BrowseQuery): Promise<BrowseResult> {
  const partitions = topic.partitions.filter((p) => query.partition === undefined || p.partition === query.partition);
  const byTime = query.since === undefined ? undefined : await cluster.offsetsForTime(topic.name, query.since);
  const limit = BigInt(query.limit);
  const ranges: BrowseResult["ranges"] = [];
  for (const p of partitions) {
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    if (query.key !== undefined) {
      const scan = BigInt(Math.min(query.scan ?? DEFAULT_SCAN, MAX_SCAN));
      const to = query.offset === undefined ? high : min(query.offset + 1n, high);
      ranges.push({ partition: p.partition, from: max(low, to - scan), to });
    } else if (byTime) {
      const from = max(low, byTime.get(p.partition) ?? high);
      ranges.push({ partition: p.partition, from, to: min(high, from + limit) });
    } else {
      const to = query.offset === undefined ? high : min(query.offset + 1n, high);
      ranges.push({ partition: p.partition, from: max(low, to - limit), to });
    }
  }
  const records: StoredRecord[] = [];
  for (const range of ranges) {
    if (range.to <= range.from) continue;
    const read = await cluster.read({ topic: topic.name, ...range });
    const key = query.key;
    records.push(...(key === undefined ? read : read.filter((r) => r.key !== null && keyText(r.key) === key)));
  }
  records.sort(newestFirst);
  const page = records.slice(0, query.limit);
  const single = ranges.length === 1 ? ranges[0] : undefined;
  const older =
    single && query.key === undefined && byTime === undefined && single.from > BigInt(partitions[0]?.low ?? "0")
      ? single.from - 1n
      : undefined;
  return { records: page, ranges, older };
}

const text = new TextDecoder();
function keyText(key: Uint8Array): string {
  return text.decode(key);
}
