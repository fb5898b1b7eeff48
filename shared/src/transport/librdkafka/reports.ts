// What librdkafka reports (error codes, statistics) in the toolkit's terms, whichever way it is
// reached: the Node binding (confluent/) or Deno FFI (rdkafka-ffi/). No client import, so the unit
// project tests it and Deno never loads the Node binding's module for it.
import { KafkaPairError } from "../../errors.ts";
import type { ProducerStats } from "../producer.ts";

// librdkafka error codes (rd_kafka_resp_err_t) the edge maps to HTTP-meaningful errors.
export const ERR_QUEUE_FULL = -184;
export const ERR_MSG_TIMED_OUT = -192;
export const ERR_FATAL = -150;
export const ERR_ALL_BROKERS_DOWN = -187;
export const ERR_MSG_SIZE_TOO_LARGE = 10;

/** Maps a failed delivery report or produce call to the error the HTTP edge answers with. */
export function toDeliveryError(code: number, message: string, cause: unknown): KafkaPairError {
  switch (code) {
    case ERR_QUEUE_FULL:
      return new KafkaPairError("KAFKA_UNAVAILABLE", "local produce queue is full", { cause });
    case ERR_MSG_TIMED_OUT:
      // librdkafka's POSSIBLY_PERSISTED case: the broker may have written it before the timeout.
      return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written", {
        cause,
      });
    case ERR_MSG_SIZE_TOO_LARGE:
      return new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts", { cause });
    default:
      return new KafkaPairError("DELIVERY_FAILED", `delivery failed: ${message}`, { cause });
  }
}

interface RdStats {
  msg_cnt?: number;
  msg_size?: number;
  brokers?: Record<
    string,
    { nodeid: number; state: string; rtt?: { avg: number }; txretries?: number; txerrs?: number }
  >;
}

/** librdkafka's statistics JSON (statistics.interval.ms) in the transport's terms. */
export function parseStats(json: string): ProducerStats {
  const raw = JSON.parse(json) as RdStats;
  // Bootstrap entries (nodeid -1) are not cluster members; only count real brokers.
  const brokers = Object.entries(raw.brokers ?? {})
    .filter(([, b]) => b.nodeid >= 0)
    .map(([name, b]) => ({
      name,
      up: b.state === "UP",
      rttAvgMs: (b.rtt?.avg ?? 0) / 1000,
      txRetries: b.txretries ?? 0,
      txErrors: b.txerrs ?? 0,
    }));
  return {
    queuedMessages: raw.msg_cnt ?? 0,
    queuedBytes: raw.msg_size ?? 0,
    brokersUp: brokers.filter((b) => b.up).length,
    brokers,
  };
}

/**
 * Whether an acks=all write can succeed at all: a majority of the cluster's brokers must be reachable.
 * With fewer, a KRaft quorum of combined nodes is lost (no leader election, no ISR shrink) and
 * min.insync.replicas=2 of 3 cannot be met, so every record would only wait out its delivery
 * timeout; answering 503 at once is the honest answer. One broker of a single-node cluster is a majority.
 */
export function writableCluster(stats: ProducerStats): boolean {
  const known = stats.brokers.length;
  if (known === 0) return stats.brokersUp > 0;
  return stats.brokersUp * 2 > known;
}
