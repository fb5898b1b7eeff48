import { describe, expect, it } from "vitest";
import { openApiParameters, produceParameters, readProduceRequest } from "./request.ts";

// The produce route's parameters, read straight from a URL and a header lookup.
const read = (query: string, headers: Record<string, string> = {}) =>
  readProduceRequest(`http://localhost/topics/orders${query}`, (name) => headers[name]);

describe("readProduceRequest", () => {
  it("reads atomic from the query and the Idempotency-Key as sent, case kept", () => {
    expect(read("")).toEqual({ atomic: false, idempotencyKey: undefined });
    expect(read("?atomic=true", { "Idempotency-Key": "Order-42-AbC" })).toEqual({
      atomic: true,
      idempotencyKey: "Order-42-AbC",
    });
    expect(read("?atomic=false")).toEqual({ atomic: false, idempotencyKey: undefined });
  });

  it("refuses an unknown or repeated query parameter, and a header name used as one", () => {
    expect(() => read("?atomc=true")).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
    expect(() => read("?atomic=true&atomic=false")).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
    expect(() => read("?Idempotency-Key=k")).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
  });

  it("takes Content-Encoding identity whatever its case and surrounding spaces; anything else is 415", () => {
    expect(read("", { "Content-Encoding": " Identity " })).toEqual({ atomic: false, idempotencyKey: undefined });
    expect(() => read("", { "Content-Encoding": "gzip" })).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }),
    );
  });

  it("refuses a malformed Idempotency-Key or atomic value with 400", () => {
    expect(() => read("", { "Idempotency-Key": "with space" })).toThrow(
      expect.objectContaining({ code: "INVALID_REQUEST" }),
    );
    expect(() => read("?atomic=yes")).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
  });
});

describe("openApiParameters", () => {
  it("declares every parameter as optional, where it goes, with its description and JSON Schema", () => {
    const parameters = openApiParameters();
    expect(parameters).toHaveLength(produceParameters.length);
    expect(parameters[0]).toEqual({
      name: "atomic",
      in: "query",
      required: false,
      description: produceParameters[0].description,
      schema: expect.objectContaining({ enum: ["true", "false"] }),
    });
    expect(parameters.find((p) => p.name === "Content-Encoding")).toMatchObject({
      in: "header",
      required: false,
      schema: { enum: ["identity"] },
    });
  });
});
