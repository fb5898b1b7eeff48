import { type Agent, request } from "node:http";
import { type Histogram, recordMs } from "./hist.ts";

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One POST over a keep-alive agent: node:http costs the load generator less CPU than fetch. */
export function post(agent: Agent, url: URL, body: string, contentType: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("request timed out after 30 s")));
    req.on("error", reject);
    req.end(body);
  });
}

/** What one request contributed: messages Kafka acknowledged, messages refused, payload bytes stored. */
export interface Outcome {
  acked: number;
  errors: number;
  bytes: number;
}

export interface LoadTotals extends Outcome {
  requests: number;
  failedRequests: number;
  elapsedMs: number;
  firstError?: string;
}

/**
 * Closed loop: `concurrency` clients, each sending its next request once the last one was
 * answered, until the deadline or `maxRequests`. Latency is per request.
 */
export async function closedLoop(options: {
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  histogram: Histogram;
  send: (i: number) => Promise<Outcome>;
  onTick?: (totals: LoadTotals) => void;
}): Promise<LoadTotals> {
  const totals: LoadTotals = { acked: 0, errors: 0, bytes: 0, requests: 0, failedRequests: 0, elapsedMs: 0 };
  const begin = performance.now();
  const deadline = begin + options.durationMs;
  let issued = 0;
  const tick = setInterval(() => {
    totals.elapsedMs = performance.now() - begin;
    options.onTick?.(totals);
  }, 250);
  const client = async () => {
    while (issued < options.maxRequests && performance.now() < deadline) {
      const i = issued++;
      const sent = performance.now();
      try {
        const outcome = await options.send(i);
        recordMs(options.histogram, performance.now() - sent);
        totals.acked += outcome.acked;
        totals.errors += outcome.errors;
        totals.bytes += outcome.bytes;
      } catch (err) {
        totals.failedRequests++;
        totals.firstError ??= String((err as Error).message);
      }
      totals.requests++;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, client));
  } finally {
    clearInterval(tick);
  }
  totals.elapsedMs = performance.now() - begin;
  return totals;
}

/**
 * Open loop at a fixed offered rate: requests leave on schedule whether or not earlier ones
 * were answered, up to `maxInFlight` (past it a request is counted as not sent, never queued).
 */
export async function openLoop(options: {
  ratePerS: number;
  durationMs: number;
  maxInFlight: number;
  histogram: Histogram;
  send: (i: number) => Promise<Outcome>;
  onTick?: (totals: LoadTotals & { skipped: number }) => void;
}): Promise<LoadTotals & { skipped: number }> {
  const totals = {
    acked: 0,
    errors: 0,
    bytes: 0,
    requests: 0,
    failedRequests: 0,
    elapsedMs: 0,
    skipped: 0,
  } as LoadTotals & {
    skipped: number;
  };
  const begin = performance.now();
  let scheduled = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const fire = (i: number) => {
    inFlight++;
    const sent = performance.now();
    const p = options
      .send(i)
      .then((outcome) => {
        recordMs(options.histogram, performance.now() - sent);
        totals.acked += outcome.acked;
        totals.errors += outcome.errors;
        totals.bytes += outcome.bytes;
      })
      .catch((err) => {
        totals.failedRequests++;
        totals.firstError ??= String((err as Error).message);
      })
      .finally(() => {
        inFlight--;
        totals.requests++;
        pending.delete(p);
      });
    pending.add(p);
  };
  let lastTick = 0;
  for (;;) {
    const elapsed = performance.now() - begin;
    if (elapsed >= options.durationMs) break;
    const due = Math.floor((elapsed / 1000) * options.ratePerS);
    while (scheduled < due) {
      if (inFlight < options.maxInFlight) fire(scheduled);
      else totals.skipped++;
      scheduled++;
    }
    if (elapsed - lastTick >= 250) {
      lastTick = elapsed;
      totals.elapsedMs = elapsed;
      options.onTick?.(totals);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
  totals.elapsedMs = performance.now() - begin;
  return totals;
}
