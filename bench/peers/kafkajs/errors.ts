import { KafkaPairError } from "@kafka-pair/shared/errors";

/** Maps a failed KafkaJS send to the error the HTTP edge answers with (no client import: unit-tested). */
export function toDeliveryError(err: unknown): KafkaPairError {
  const e = err as { name?: string; type?: string; message?: string };
  if (e.type === "MESSAGE_TOO_LARGE" || e.type === "RECORD_LIST_TOO_LARGE") {
    return new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts", { cause: err });
  }
  if (e.name === "KafkaJSRequestTimeoutError") {
    return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written", {
      cause: err,
    });
  }
  if (e.name === "KafkaJSConnectionError" || e.name === "KafkaJSBrokerNotFound") {
    return new KafkaPairError("KAFKA_UNAVAILABLE", `no broker reachable: ${e.message}`, { cause: err });
  }
  return new KafkaPairError("DELIVERY_FAILED", `delivery failed: ${e.message ?? String(err)}`, { cause: err });
}
