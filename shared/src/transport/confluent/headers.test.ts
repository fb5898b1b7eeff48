import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { HeaderCache } from "./headers.ts";

describe("HeaderCache", () => {
  it("gives the headers in order, one single-key object each", () => {
    const headers = new HeaderCache().of({ ce_id: "1", ce_type: "t", traceparent: "00-a" });
    expect(headers).toEqual([{ ce_id: "1" }, { ce_type: "t" }, { traceparent: "00-a" }]);
  });

  it("shares one Buffer-valued header for a value that repeats, and never reuses a changed one", () => {
    const cache = new HeaderCache();
    cache.of({ ce_type: "t", ce_id: "1" });
    const second = cache.of({ ce_type: "t", ce_id: "2" });
    const third = cache.of({ ce_type: "t", ce_id: "3" });
    expect(second[0]).toEqual({ ce_type: Buffer.from("t") });
    expect(third[0]).toBe(second[0]);
    expect(third[1]).toEqual({ ce_id: "3" });
    expect(cache.of({ ce_type: "u" })).toEqual([{ ce_type: "u" }]);
  });

  it("keeps UTF-8 text intact in the Buffer", () => {
    const cache = new HeaderCache();
    cache.of({ ce_source: "/café" });
    const [header] = cache.of({ ce_source: "/café" });
    expect(header).toEqual({ ce_source: Buffer.from("/café", "utf8") });
  });
});
