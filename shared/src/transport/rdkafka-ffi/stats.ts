// Pure helpers shared by the FFI adapter's producer (no Deno globals, so Node tests import them).
import { KafkaPairError } from "../../errors.ts";
import type { ProducerStats } from "../producer.ts";
import { CONST } from "./layout.ts";

interface RdStats {
  msg_cnt?: number;
  msg_size?: number;
  brokers?: Record<
    string,
    { nodeid: number; state: string; rtt?: { avg: number }; txretries?: number; txerrs?: number }
  >;
}

/** librdkafka's statistics JSON in the transport's terms; the same reading as the Node adapter's. */
export function parseStats(json: string): ProducerStats {
  const raw = JSON.parse(json) as RdStats;
  // Bootstrap entries (nodeid -1) are not cluster members; only count real brokers.
  const brokers = Object.entries(raw.brokers ?? {})
    .filter(([, broker]) => broker.nodeid >= 0)
    .map(([name, broker]) => ({
      name,
      up: broker.state === "UP",
      rttAvgMs: (broker.rtt?.avg ?? 0) / 1000,
      txRetries: broker.txretries ?? 0,
      txErrors: broker.txerrs ?? 0,
    }));
  return {
    queuedMessages: raw.msg_cnt ?? 0,
    queuedBytes: raw.msg_size ?? 0,
    brokersUp: brokers.filter((broker) => broker.up).length,
    brokers,
  };
}

/**
 * Whether an acks=all write can succeed: a majority of the cluster's brokers reachable (the
 * Node adapter's rule, see confluent/producer.ts). Kept here too so that Deno never loads the
 * Node binding's module.
 */
export function writableCluster(stats: ProducerStats): boolean {
  const known = stats.brokers.length;
  if (known === 0) return stats.brokersUp > 0;
  return stats.brokersUp * 2 > known;
}

/** A failed produce or delivery report as the error the HTTP edge answers with (as on Node). */
export function toDeliveryError(code: number, message: string): KafkaPairError {
  const cause = { code, message };
  switch (code) {
    case CONST.ERR__QUEUE_FULL:
      return new KafkaPairError("KAFKA_UNAVAILABLE", "local produce queue is full", { cause });
    case CONST.ERR__MSG_TIMED_OUT:
      // librdkafka's POSSIBLY_PERSISTED case: the broker may have written it before the timeout.
      return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written", {
        cause,
      });
    case CONST.ERR_MSG_SIZE_TOO_LARGE:
      return new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts", { cause });
    default:
      return new KafkaPairError("DELIVERY_FAILED", `delivery failed: ${message}`, { cause });
  }
}
