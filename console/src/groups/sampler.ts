import type { Logger } from "@kafka-pair/shared/runtime";
import type { ConsoleCluster } from "../cluster/types.ts";
import { groupLag, totalCommitted, totalLag } from "./lag.ts";

export interface LagSample {
  /** Epoch ms. */
  at: number;
  lag: number;
  /** Records per second since the previous sample (the group's throughput). */
  rate: number;
  /** Where the rate comes from: the consumer worker's processed counter, or Kafka's committed offsets. */
  source: "consumer" | "kafka";
}

type Counted = { at: number; sum: bigint };

/** Per second since the previous count of this key (0 for the first), remembering this one. */
function rateOf(previous: Map<string, Counted>, key: string, now: Counted): number {
  const before = previous.get(key);
  previous.set(key, now);
  if (!before || now.at <= before.at) return 0;
  return Math.max(0, (Number(now.sum - before.sum) * 1000) / (now.at - before.at));
}

/** How far back the charts go. */
export const WINDOW_MS = 10 * 60_000;

/**
 * Samples every consumer group's total lag and committed offsets from Kafka, for the groups
 * page's chart (lag and throughput over the last minutes). Kept in memory, per group, for WINDOW_MS.
 */
export class LagSampler {
  readonly #series = new Map<string, LagSample[]>();
  readonly #committed = new Map<string, Counted>();
  readonly #processed = new Map<string, Counted>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ConsoleCluster,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** Events handled per group, from the consumer worker's /metrics, when it runs where the console can ask it. */
    private readonly consumerCounts: () => Promise<Map<string, number> | undefined> = async () => undefined,
  ) {}

  series(groupId: string): LagSample[] {
    return this.#series.get(groupId) ?? [];
  }

  /** One sample of every consumer group. */
  async sample(): Promise<void> {
    const at = this.now();
    const counts = await this.consumerCounts();
    for (const summary of await this.cluster.groups()) {
      if (summary.protocolType !== "consumer" && summary.protocolType !== "") continue;
      const group = await this.cluster.group(summary.groupId);
      if (!group) continue;
      const lags = await groupLag(this.cluster, group);
      const committedRate = rateOf(this.#committed, group.groupId, { at, sum: totalCommitted(lags) });
      const processed = counts?.get(group.groupId);
      const processedRate =
        processed === undefined
          ? undefined
          : rateOf(this.#processed, group.groupId, { at, sum: BigInt(Math.round(processed)) });
      const series = (this.#series.get(group.groupId) ?? []).filter((s) => s.at > at - WINDOW_MS);
      series.push(
        processedRate === undefined
          ? { at, lag: Number(totalLag(lags)), rate: committedRate, source: "kafka" }
          : { at, lag: Number(totalLag(lags)), rate: processedRate, source: "consumer" },
      );
      this.#series.set(group.groupId, series);
    }
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.sample()
        .catch((err: unknown) => this.logger.warn({ err }, "lag sample failed"))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
