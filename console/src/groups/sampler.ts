import type { Logger } from "@kafka-pair/shared/log";
import type { ConsoleCluster } from "../cluster/types.ts";
import { groupLag, totalCommitted, totalLag } from "./lag.ts";

export interface LagSample {
  /** Epoch ms. */
  at: number;
  lag: number;
  /** Records committed per second since the previous sample (the group's throughput). */
  rate: number;
}

/** How far back the charts go. */
export const WINDOW_MS = 10 * 60_000;

/**
 * Samples every consumer group's total lag and committed offsets from Kafka, for the groups
 * page's chart (lag and throughput over the last minutes). Kept in memory, per group, for WINDOW_MS.
 */
export class LagSampler {
  readonly #series = new Map<string, LagSample[]>();
  readonly #committed = new Map<string, { at: number; sum: bigint }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ConsoleCluster,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  series(groupId: string): LagSample[] {
    return this.#series.get(groupId) ?? [];
  }

  /** One sample of every consumer group. */
  async sample(): Promise<void> {
    const at = this.now();
    for (const summary of await this.cluster.groups()) {
      if (summary.protocolType !== "consumer" && summary.protocolType !== "") continue;
      const group = await this.cluster.group(summary.groupId);
      if (!group) continue;
      const lags = await groupLag(this.cluster, group);
      const sum = totalCommitted(lags);
      const previous = this.#committed.get(group.groupId);
      this.#committed.set(group.groupId, { at, sum });
      const rate = previous && at > previous.at ? (Number(sum - previous.sum) * 1000) / (at - previous.at) : 0;
      const series = (this.#series.get(group.groupId) ?? []).filter((s) => s.at > at - WINDOW_MS);
      series.push({ at, lag: Number(totalLag(lags)), rate: Math.max(0, rate) });
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
