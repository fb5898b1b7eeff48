import { ErrorCode, KafkaPairError } from "@kafka-pair/shared/errors";
import { describe, expect, it } from "vitest";
import { httpStatusOf } from "./http-status.ts";

describe("httpStatusOf", () => {
  // Retriable codes answer with a status a client retries on (a timeout, a failed dependency, 5xx but 500/501);
  // the others with one it does not (4xx, or the edge's own fault).
  it.each(Object.values(ErrorCode))("%s agrees with the error's retriable flag", (code) => {
    const status = httpStatusOf(code);
    const retriable = new KafkaPairError(code, "x").retriable;
    const retryStatuses = [408, 424, 499, 502, 503, 504];
    expect({ code, status, retry: retryStatuses.includes(status) }).toEqual({ code, status, retry: retriable });
  });

  it("answers bad input with 4xx and Kafka's trouble with 5xx", () => {
    expect([
      httpStatusOf("INVALID_EVENT"),
      httpStatusOf("KAFKA_UNAVAILABLE"),
      httpStatusOf("DELIVERY_TIMEOUT"),
    ]).toEqual([422, 503, 504]);
  });
});
