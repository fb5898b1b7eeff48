import { describe, expect, it } from "vitest";
import { KafkaPairError } from "../../errors.ts";
import { apiIds, toDeliveryError } from "./errors.ts";

describe("toDeliveryError (@platformatic/kafka)", () => {
  it.each([
    [{ apiId: "MESSAGE_TOO_LARGE" }, "PAYLOAD_TOO_LARGE", false],
    [{ errors: [{ errors: [{ apiId: "RECORD_LIST_TOO_LARGE" }] }] }, "PAYLOAD_TOO_LARGE", false],
    [{ code: "PLT_KFK_TIMEOUT" }, "DELIVERY_TIMEOUT", true],
    [{ code: "PLT_KFK_NETWORK", message: "ECONNREFUSED" }, "KAFKA_UNAVAILABLE", true],
    [{ code: "PLT_KFK_RESPONSE", message: "NOT_LEADER" }, "DELIVERY_FAILED", true],
  ])("maps %j to %s", (err, code, retriable) => {
    expect(toDeliveryError(err)).toMatchObject({ code, retriable });
  });

  it("passes a KafkaPairError through untouched", () => {
    const err = new KafkaPairError("KAFKA_UNAVAILABLE", "down");
    expect(toDeliveryError(err)).toBe(err);
  });

  it("collects nested protocol error ids", () => {
    expect(apiIds({ apiId: "A", errors: [{ apiId: "B" }, { errors: [{ apiId: "C" }] }] })).toEqual(["A", "B", "C"]);
    expect(apiIds(undefined)).toEqual([]);
    expect(apiIds("text")).toEqual([]);
  });
});
