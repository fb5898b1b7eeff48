import { describe, expect, it } from "vitest";
import { toDeliveryError } from "./errors.ts";

describe("toDeliveryError (KafkaJS)", () => {
  it.each([
    [{ type: "MESSAGE_TOO_LARGE" }, "PAYLOAD_TOO_LARGE", false],
    [{ type: "RECORD_LIST_TOO_LARGE" }, "PAYLOAD_TOO_LARGE", false],
    [{ name: "KafkaJSRequestTimeoutError" }, "DELIVERY_TIMEOUT", true],
    [{ name: "KafkaJSConnectionError", message: "ECONNREFUSED" }, "KAFKA_UNAVAILABLE", true],
    [{ name: "KafkaJSBrokerNotFound" }, "KAFKA_UNAVAILABLE", true],
    [{ name: "KafkaJSProtocolError", message: "NOT_LEADER" }, "DELIVERY_FAILED", true],
  ])("maps %j to %s", (err, code, retriable) => {
    const mapped = toDeliveryError(err);
    expect(mapped).toMatchObject({ code, retriable });
    expect(mapped.cause).toBe(err);
  });

  it("names the client's message", () => {
    expect(toDeliveryError({ name: "KafkaJSConnectionError", message: "ECONNREFUSED" }).message).toBe(
      "no broker reachable: ECONNREFUSED",
    );
    expect(toDeliveryError("boom").message).toBe("delivery failed: boom");
  });
});
