import { KafkaPairError } from "@kafka-pair/shared/errors";
import { describe, expect, it } from "vitest";
import { type Candidate, parseBody } from "./parse.ts";

const json = { "content-type": "application/json" };
const ce = {
  specversion: "1.0",
  id: "e-1",
  source: "/shop",
  type: "dev.kafka-pair.order.placed",
  time: "2026-01-01T00:00:00Z",
};

describe("parseBody: media types and CloudEvents modes", () => {
  it("reads one JSON document, a JSON array as a batch, and +json types; ignores parameters and case", () => {
    expect(parseBody(json, '{"a":1}')).toEqual({ batch: false, items: [{ data: { json: { a: 1 } } }] });
    expect(parseBody({ "content-type": "Application/JSON; charset=utf-8" }, "[1,2]")).toEqual({
      batch: true,
      items: [{ data: { json: 1 } }, { data: { json: 2 } }],
    });
    expect(parseBody({ "content-type": "application/vnd.shop+json" }, "3")).toEqual({
      batch: false,
      items: [{ data: { json: 3 } }],
    });
  });

  it("refuses other media types with 415, and malformed JSON with 400", () => {
    expect(() => parseBody({ "content-type": "text/plain" }, "x")).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }),
    );
    expect(() => parseBody({}, "x")).toThrow(expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }));
    expect(() => parseBody(json, "{nope")).toThrow(expect.objectContaining({ code: "MALFORMED_JSON" }));
  });

  it("reads NDJSON as a batch, skipping blank lines and numbering a bad line among the non-blank ones", () => {
    const parsed = parseBody({ "content-type": "application/x-ndjson" }, '{"a":1}\n\n  \n{bad\n{"b":2}\n');
    expect(parsed.batch).toBe(true);
    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[0]).toEqual({ data: { json: { a: 1 } } });
    const bad = parsed.items[1] as KafkaPairError;
    expect(bad).toBeInstanceOf(KafkaPairError);
    expect(bad.code).toBe("MALFORMED_JSON");
    expect(bad.message).toMatch(/^line 2 is not valid JSON/);
  });

  it("reads binary mode: ce-* headers carry the attributes, the body is the data", () => {
    const headers = { ...json, "ce-specversion": "1.0", "ce-id": "e-1", "ce-source": "/shop", "ce-type": ce.type };
    const parsed = parseBody(headers, '{"a":1}');
    expect(parsed.batch).toBe(false);
    expect(parsed.items[0]).toMatchObject({
      data: { json: { a: 1 } },
      event: { attributes: { specversion: "1.0", id: "e-1", source: "/shop", type: ce.type }, issues: [] },
    });
  });

  it("reads structured mode and batch mode", () => {
    const one = parseBody(
      { "content-type": "application/cloudevents+json" },
      JSON.stringify({ ...ce, data: { a: 1 } }),
    );
    expect(one.batch).toBe(false);
    expect(one.items[0]).toMatchObject({
      data: { json: { a: 1 } },
      event: { attributes: { id: "e-1", source: "/shop", time: "2026-01-01T00:00:00Z" }, issues: [] },
    });
    const many = parseBody(
      { "content-type": "application/cloudevents-batch+json" },
      JSON.stringify([
        { ...ce, data: 1 },
        { ...ce, id: "e-2", data: 2 },
      ]),
    );
    expect(many.batch).toBe(true);
    expect(many.items.map((i) => (i as Candidate).event?.attributes.id)).toEqual(["e-1", "e-2"]);
  });

  it("refuses a CloudEvents batch that is not an array; a record missing attributes is that record's error", () => {
    expect(() =>
      parseBody({ "content-type": "application/cloudevents-batch+json" }, JSON.stringify({ ...ce, data: 1 })),
    ).toThrow(expect.objectContaining({ code: "MALFORMED_JSON" }));
    const missing = parseBody(
      { "content-type": "application/cloudevents-batch+json" },
      JSON.stringify([
        { specversion: "1.0", id: "e-3", type: ce.type, data: 1 },
        { ...ce, data: 2 },
      ]),
    );
    expect(missing.items[0]).toBeInstanceOf(KafkaPairError);
    expect(missing.items[0]).toMatchObject({ code: "INVALID_EVENT" });
    expect(missing.items[1]).toMatchObject({ data: { json: 2 } });
    expect(() => parseBody({ "content-type": "application/cloudevents+json" }, "{bad")).toThrow(
      expect.objectContaining({ code: "MALFORMED_JSON" }),
    );
  });
});
