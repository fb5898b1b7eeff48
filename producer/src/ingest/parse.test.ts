import { KafkaPairError } from "@kafka-pair/shared/errors";
import { describe, expect, it } from "vitest";
import { parseBody } from "./parse.ts";

const json = { "content-type": "application/json" };

describe("parseBody", () => {
  it("reads one JSON event, or an array as a batch", () => {
    expect(parseBody(json, '{"a":1}')).toEqual({ batch: false, items: [{ data: { json: { a: 1 } } }] });
    expect(parseBody(json, '[{"a":1},{"a":2}]')).toEqual({
      batch: true,
      items: [{ data: { json: { a: 1 } } }, { data: { json: { a: 2 } } }],
    });
  });

  it("reads NDJSON line by line, a bad line becoming that record's error", () => {
    const parsed = parseBody({ "content-type": "application/x-ndjson" }, '{"a":1}\n\n{oops\n{"a":3}\n');
    expect(parsed.batch).toBe(true);
    expect(parsed.items).toHaveLength(3);
    expect(parsed.items[1]).toBeInstanceOf(KafkaPairError);
    expect((parsed.items[1] as KafkaPairError).code).toBe("MALFORMED_JSON");
  });

  it("reads binary-mode CloudEvents attributes from ce-* headers", () => {
    const parsed = parseBody(
      { ...json, "ce-specversion": "1.0", "ce-id": "e1", "ce-source": "/s", "ce-type": "t", "ce-subject": "x" },
      '{"a":1}',
    );
    expect(parsed.items[0]).toMatchObject({
      data: { json: { a: 1 } },
      event: { attributes: { id: "e1", source: "/s", type: "t", subject: "x" } },
    });
  });

  it("treats any ce-* header as binary mode, so a missing ce-specversion is refused", () => {
    const parsed = parseBody({ ...json, "ce-id": "e1", "ce-source": "/s", "ce-type": "t" }, '{"a":1}');
    expect(parsed.items[0]).toMatchObject({ code: "INVALID_EVENT", issues: [{ path: "ce.specversion" }] });
  });

  it("refuses what it can't read", () => {
    expect(() => parseBody(json, "{")).toThrowError(expect.objectContaining({ code: "MALFORMED_JSON" }));
    expect(() => parseBody({ "content-type": "text/csv" }, "a,b")).toThrowError(
      expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }),
    );
    expect(() => parseBody({}, "{}")).toThrowError(expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }));
  });
});
