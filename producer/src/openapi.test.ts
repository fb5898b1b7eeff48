import { describe, expect, it } from "vitest";
import { allowedMethods } from "./app.ts";
import { openApiDocument } from "./openapi.ts";
import { produceParameters } from "./request.ts";
import { fakeEdge } from "./testing/fake-producer.ts";

// The document must say what the edge does: the drift Schemathesis found, pinned in-process.
// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
const doc = openApiDocument() as any;
const produce = doc.paths["/topics/orders"].post;

describe("OpenAPI document", () => {
  it("declares exactly the parameters the route checks, with their patterns", () => {
    expect(produce.parameters.map((p: { name: string }) => p.name)).toEqual(produceParameters.map((p) => p.name));
    const key = produce.parameters.find((p: { name: string }) => p.name === "Idempotency-Key");
    expect(new RegExp(key.schema.pattern).test("x".repeat(200))).toBe(true);
    expect(new RegExp(key.schema.pattern).test("x".repeat(201))).toBe(false);
    const atomic = produce.parameters.find((p: { name: string }) => p.name === "atomic");
    expect(atomic.schema.enum).toEqual(["true", "false"]);
  });

  it("says a batch holds at least one event", () => {
    const content = produce.requestBody.content;
    expect(content["application/json"].schema.oneOf[1].minItems).toBe(1);
    expect(content["application/cloudevents-batch+json"].schema.minItems).toBe(1);
  });

  it("documents the batch-result body for a batch's error statuses", async () => {
    const { app } = fakeEdge();
    const res = await app.request("/topics/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ not: "an order" }]),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toHaveProperty("results");
    const schemas = produce.responses["422"].content["application/json"].schema.oneOf;
    expect(schemas.some((s: { required?: string[] }) => s.required?.includes("results"))).toBe(true);
  });

  it("documents 405 for every path, and only the methods the app serves", () => {
    for (const [path, allow] of Object.entries(allowedMethods)) {
      const documented = doc.paths[path.replace(":topic", "orders")];
      expect(documented, path).toBeDefined();
      const methods = Object.keys(documented)
        .filter((m) => m !== "parameters")
        .map((m) => m.toUpperCase());
      expect(methods.filter((m) => m !== "HEAD")).toEqual(allow.split(", ").filter((m) => m !== "HEAD"));
      for (const method of Object.keys(documented))
        expect(documented[method].responses["405"], `${method} ${path}`).toBeDefined();
    }
  });

  it("lists every status the edge can send on the produce route", () => {
    const statuses = Object.keys(produce.responses).sort();
    expect(statuses).toEqual(
      [
        "201",
        "207",
        "400",
        "401",
        "403",
        "404",
        "405",
        "409",
        "413",
        "415",
        "422",
        "499",
        "500",
        "501",
        "502",
        "503",
        "504",
      ].sort(),
    );
  });
});
