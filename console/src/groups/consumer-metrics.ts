/** Events handled so far per consumer group, from a consumer worker's Prometheus `/metrics` text. */
export function processedByGroup(metricsText: string, groupOf: (group: string) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metricsText.split("\n")) {
    const match = /^consumer_events_processed_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const group = /(?:^|,)group="((?:[^"\\]|\\.)*)"/.exec(match[1] ?? "")?.[1];
    const value = Number(match[2]);
    if (group === undefined || !Number.isFinite(value)) continue;
    const id = groupOf(group);
    out.set(id, (out.get(id) ?? 0) + value);
  }
  return out;
}

/**
 * Reads the consumer worker's counters when it answers at `url` (its ops port), else undefined:
 * the console then falls back to Kafka's committed offsets for throughput.
 */
export function consumerMetricsReader(
  url: string,
  groupOf: (group: string) => string,
  fetchMetrics: (url: string) => Promise<Response> = (u) => fetch(u, { signal: AbortSignal.timeout(2_000) }),
): () => Promise<Map<string, number> | undefined> {
  return async () => {
    try {
      const res = await fetchMetrics(`${url.replace(/\/$/, "")}/metrics`);
      if (!res.ok) return undefined;
      return processedByGroup(await res.text(), groupOf);
    } catch {
      return undefined;
    }
  };
}
