import { describe, expect, it } from "vitest";
import { cloudEventFrom, isRealDateTime, traceContextFrom } from "./envelope.ts";

describe("cloudEventFrom", () => {
  it("reads the ce_* headers, extensions and content type", () => {
    const ce = cloudEventFrom({
      ce_id: "e-1",
      ce_source: "/kafka-pair/producer",
      ce_type: "dev.kafka-pair.order.placed",
      ce_specversion: "1.0",
      ce_time: "2025-01-01T00:00:00Z",
      ce_tenant: "acme",
      "content-type": "application/json",
      traceparent: "x",
    });
    expect(ce).toEqual({
      id: "e-1",
      source: "/kafka-pair/producer",
      type: "dev.kafka-pair.order.placed",
      specversion: "1.0",
      time: "2025-01-01T00:00:00Z",
      datacontenttype: "application/json",
      extensions: { tenant: "acme" },
    });
  });

  it("is undefined when a required attribute is missing", () => {
    expect(cloudEventFrom({ ce_id: "e-1", ce_source: "/s", ce_type: "t" })).toBeUndefined();
  });
});

describe("traceContextFrom", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("parses a valid traceparent", () => {
    expect(traceContextFrom({ traceparent: valid, tracestate: "vendor=1" })).toEqual({
      traceparent: valid,
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentSpanId: "00f067aa0ba902b7",
      sampled: true,
      tracestate: "vendor=1",
    });
  });

  it.each([
    ["missing", undefined],
    ["garbage", "hello"],
    ["zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
    ["version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    ["version 00 with extra fields", `${valid}-extra`],
  ])("ignores a %s traceparent", (_, traceparent) => {
    expect(traceContextFrom(traceparent === undefined ? {} : { traceparent })).toBeUndefined();
  });

  it("reads the sampled flag", () => {
    expect(traceContextFrom({ traceparent: valid.replace(/01$/, "00") })?.sampled).toBe(false);
  });
});

describe("isRealDateTime", () => {
  it.each([
    ["2026-02-28T10:00:00Z", true],
    ["2028-02-29T10:00:00Z", true],
    ["2000-02-29T00:00:00+01:00", true],
    ["0001-04-10T21:48:30.0Z", true],
    ["2026-02-30T10:00:00Z", false],
    ["1900-02-29T00:00:00Z", false],
    ["2026-13-01T00:00:00Z", false],
    ["2026-04-31T00:00:00Z", false],
    ["2026-01-01T24:00:00Z", false],
    ["2026-01-01", false],
  ])("%s is %s", (value, real) => {
    expect(isRealDateTime(value)).toBe(real);
  });
});
