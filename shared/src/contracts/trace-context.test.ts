import { describe, expect, it } from "vitest";
import { parseTraceparent, startTrace, traceContextFrom, traceOf } from "./trace-context.ts";

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

describe("trace context on the way out", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("carries a valid traceparent and well-formed tracestate whole", () => {
    expect(traceOf(valid, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")).toEqual({
      traceparent: valid,
      tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
    });
  });

  it("drops a malformed tracestate, and everything with an invalid traceparent", () => {
    expect(traceOf(valid, "not a list member")).toEqual({ traceparent: valid });
    expect(traceOf("junk", "congo=1")).toBeUndefined();
  });

  it("starts a new, valid, unsampled trace", () => {
    const started = startTrace();
    expect(parseTraceparent(started.traceparent)).toMatchObject({ sampled: false });
    expect(startTrace().traceparent).not.toBe(started.traceparent);
  });
});
