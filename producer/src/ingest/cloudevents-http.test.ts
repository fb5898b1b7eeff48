import { describe, expect, it } from "vitest";
import { readBinaryHttpEvent, readStructuredEvent } from "./cloudevents-http.ts";

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
