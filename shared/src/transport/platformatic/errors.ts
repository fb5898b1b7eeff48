import { KafkaPairError } from "../../errors.ts";

interface ClientError {
  code?: string;
  apiId?: string;
  message?: string;
  errors?: ClientError[];
}

/** The Kafka protocol error ids (e.g. MESSAGE_TOO_LARGE) inside a client error, nested ones included. */
export function apiIds(err: unknown): string[] {
  const e = err as ClientError | undefined;
  if (!e || typeof e !== "object") return [];
  return [...(e.apiId ? [e.apiId] : []), ...(e.errors ?? []).flatMap(apiIds)];
}

/** Maps a failed produce to the error the HTTP edge answers with. */
export function toDeliveryError(err: unknown): KafkaPairError {
  if (err instanceof KafkaPairError) return err;
  const e = err as ClientError;
  const ids = apiIds(err);
  if (ids.includes("MESSAGE_TOO_LARGE") || ids.includes("RECORD_LIST_TOO_LARGE")) {
    return new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts", { cause: err });
  }
  if (e.code === "PLT_KFK_TIMEOUT") {
    return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written", {
      cause: err,
    });
  }
  if (e.code === "PLT_KFK_NETWORK") {
    return new KafkaPairError("KAFKA_UNAVAILABLE", `no broker reachable: ${e.message}`, { cause: err });
  }
  return new KafkaPairError("DELIVERY_FAILED", `delivery failed: ${e.message ?? String(err)}`, { cause: err });
}
