import { describe, expect, it } from "vitest";
import { HeaderCache } from "./headers.ts";

// An encoder shaped like the Node binding's: single-key objects, a repeated value marked.
const encode = (name: string, value: string, repeated: boolean) => ({ [name]: repeated ? `shared:${value}` : value });

describe("HeaderCache", () => {
  it("gives the headers in order, one encoded header each", () => {
    const headers = new HeaderCache(encode).of({ ce_id: "1", ce_type: "t", traceparent: "00-a" });
    expect(headers).toEqual([{ ce_id: "1" }, { ce_type: "t" }, { traceparent: "00-a" }]);
  });

  it("encodes a value that repeats once and hands the same header over again, never a changed one", () => {
    const cache = new HeaderCache(encode);
    cache.of({ ce_type: "t", ce_id: "1" });
    const second = cache.of({ ce_type: "t", ce_id: "2" });
    const third = cache.of({ ce_type: "t", ce_id: "3" });
    expect(second[0]).toEqual({ ce_type: "shared:t" });
    expect(third[0]).toBe(second[0]);
    expect(third[1]).toEqual({ ce_id: "3" });
    expect(cache.of({ ce_type: "u" })).toEqual([{ ce_type: "u" }]);
  });
});
