import { describe, expect, it } from "vitest";
import { toDeliveryError } from "./errors.ts";

describe("toDeliveryError (KafkaJS)", () => {
  it.each([
    [{ type: "MESSAGE_TOO_LARGE" }, "PAYLOAD_TOO_LARGE", 413],
    [{ type: "RECORD_LIST_TOO_LARGE" }, "PAYLOAD_TOO_LARGE", 413],
    [{ name: "KafkaJSRequestTimeoutError" }, "DELIVERY_TIMEOUT", 504],
    [{ name: "KafkaJSConnectionError", message: "ECONNREFUSED" }, "KAFKA_UNAVAILABLE", 503],
    [{ name: "KafkaJSBrokerNotFound" }, "KAFKA_UNAVAILABLE", 503],
    [{ name: "KafkaJSProtocolError", message: "NOT_LEADER" }, "DELIVERY_FAILED", 502],
  ])("maps %j to %s", (err, code, status) => {
    const mapped = toDeliveryError(err);
    expect(mapped).toMatchObject({ code, status });
    expect(mapped.cause).toBe(err);
  });

  it("names the client's message", () => {
    expect(toDeliveryError({ name: "KafkaJSConnectionError", message: "ECONNREFUSED" }).message).toBe(
      "no broker reachable: ECONNREFUSED",
    );
    expect(toDeliveryError("boom").message).toBe("delivery failed: boom");
  });
});
