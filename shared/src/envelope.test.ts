import { describe, expect, it } from "vitest";
import {
  cloudEventFrom,
  isRealDateTime,
  parseTraceparent,
  readBinaryHttpEvent,
  readStructuredEvent,
  startTrace,
  toKafkaHeaders,
  traceContextFrom,
  traceOf,
} from "./envelope.ts";

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
    ["2026-01-01T23:60:00Z", false],
    ["2026-01-01T23:59:60Z", false],
    ["2026-00-10T00:00:00Z", false],
    ["2026-01-00T00:00:00Z", false],
    ["2026-01-01t00:00:00z", true],
    ["2026-01-01", false],
  ])("%s is %s", (value, real) => {
    expect(isRealDateTime(value)).toBe(real);
  });
});

describe("readStructuredEvent", () => {
  const base = { specversion: "1.0", id: "e-1", source: "/s", type: "t" };

  it("reads attributes, extensions, data and the tracing extension apart", () => {
    const read = readStructuredEvent({
      ...base,
      subject: "x",
      tenant: "acme",
      count: 3,
      flag: true,
      traceparent: "tp",
      data: { a: 1 },
    });
    expect(read.issues).toEqual([]);
    expect(read.attributes).toMatchObject({
      ...base,
      subject: "x",
      extensions: { tenant: "acme", count: "3", flag: "true" },
    });
    expect(read.trace).toEqual({ traceparent: "tp" });
    expect(read.data).toEqual({ json: { a: 1 } });
  });

  it.each([
    ["a missing id", { ...base, id: undefined }, "ce.id"],
    ["an empty source", { ...base, source: "" }, "ce.source"],
    ["specversion 0.3", { ...base, specversion: "0.3" }, "ce.specversion"],
    ["a non-string type", { ...base, type: 7 }, "ce.type"],
    ["an upper-case extension name", { ...base, Tenant: "x" }, "ce.Tenant"],
    ["an extension name over 20 characters", { ...base, abcdefghijklmnopqrstu: "x" }, "ce.abcdefghijklmnopqrstu"],
    ["an object-valued extension", { ...base, tenant: { a: 1 } }, "ce.tenant"],
    ["an integer past 32 bits", { ...base, count: 2 ** 31 }, "ce.count"],
    ["a time not on the calendar", { ...base, time: "2026-02-30T00:00:00Z" }, "ce.time"],
    ["a relative dataschema", { ...base, dataschema: "schemas/order" }, "ce.dataschema"],
    ["data with data_base64", { ...base, data: 1, data_base64: "MQ==" }, "ce.data_base64"],
    ["data_base64 that is not base64", { ...base, data_base64: "***" }, "ce.data_base64"],
  ])("names %s", (_, event, path) => {
    expect(readStructuredEvent(event).issues.map((i) => i.path)).toContain(path);
  });

  it("decodes data_base64 to bytes", () => {
    const read = readStructuredEvent({ ...base, data_base64: btoa("ok") });
    expect(read.data).toEqual({ bytes: new TextEncoder().encode("ok") });
  });

  it("refuses what is not an object", () => {
    expect(readStructuredEvent([base]).issues).toHaveLength(1);
  });
});

describe("readBinaryHttpEvent", () => {
  it("percent-decodes ce-* headers and takes datacontenttype from Content-Type", () => {
    const read = readBinaryHttpEvent({
      "ce-specversion": "1.0",
      "ce-id": "e%201",
      "ce-source": "/s",
      "ce-type": "t",
      "content-type": "application/json",
      "x-other": "ignored",
    });
    expect(read.issues).toEqual([]);
    expect(read.attributes).toMatchObject({ id: "e 1", datacontenttype: "application/json", extensions: {} });
  });

  it("names a malformed percent-encoding", () => {
    const read = readBinaryHttpEvent({ "ce-specversion": "1.0", "ce-id": "%zz", "ce-source": "/s", "ce-type": "t" });
    expect(read.issues.map((i) => i.path)).toContain("ce.id");
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

  it("writes the Kafka binding's headers", () => {
    const headers = toKafkaHeaders(
      {
        id: "e",
        source: "/s",
        type: "t",
        specversion: "1.0",
        subject: "x",
        datacontenttype: "application/json",
        extensions: { tenant: "a" },
      },
      { traceparent: valid, tracestate: "a=1" },
    );
    expect(headers).toEqual({
      ce_id: "e",
      ce_source: "/s",
      ce_type: "t",
      ce_specversion: "1.0",
      ce_subject: "x",
      ce_tenant: "a",
      "content-type": "application/json",
      traceparent: valid,
      tracestate: "a=1",
    });
    expect(cloudEventFrom(headers)).toMatchObject({ id: "e", subject: "x", extensions: { tenant: "a" } });
  });
});
