import { KafkaPairError } from "@kafka-pair/shared/errors";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { httpStatusOf } from "../http-status.ts";
import { countMembers, parseIJson } from "./i-json.ts";

function refusal(text: string): KafkaPairError {
  try {
    parseIJson(text, "body");
  } catch (err) {
    if (err instanceof KafkaPairError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
}

describe("parseIJson", () => {
  it("reads I-JSON as JSON.parse does", () => {
    const text = '{"a":[1,{"b":"x:y","c":"\\"q\\":"}],"d":{},"e":"\\ud83d\\ude00"}';
    expect(parseIJson(text, "body")).toEqual(JSON.parse(text));
  });

  it("refuses a member name given twice at the top level, with 400, the path and the position", () => {
    const err = refusal('{"orderId":"A",\n "orderId":"B"}');
    expect(err.code).toBe("NOT_I_JSON");
    expect(httpStatusOf(err.code)).toBe(400);
    expect(err.message).toBe(
      'body is not I-JSON (RFC 7493): member name "orderId" appears twice (again at line 2, column 2) at orderId',
    );
    expect(err.issues).toEqual([
      { path: "orderId", message: 'member name "orderId" appears twice (again at line 2, column 2)' },
    ]);
  });

  it("refuses duplicates at any depth, inside arrays too, and names each", () => {
    const err = refusal('{"lines":[{"sku":"A","sku":"B"},{"q":{"x":1,"x":1}}]}');
    expect(err.issues?.map((i) => i.path)).toEqual(["lines.0.sku", "lines.1.q.x"]);
    expect(err.message).toContain("(and 1 more)");
  });

  it("refuses __proto__ twice (JSON.parse keeps one own property)", () => {
    expect(refusal('{"__proto__":1,"__proto__":2}').issues?.[0]?.path).toBe("__proto__");
  });

  it("refuses a lone surrogate in a value or a member name, and accepts a pair", () => {
    expect(refusal('{"note":"a\\ud800b"}').issues).toEqual([
      { path: "note", message: "string holds a lone surrogate, not Unicode text (line 1, column 9)" },
    ]);
    expect(refusal('["\\uDC00"]').issues?.[0]?.path).toBe("0");
    expect(refusal('{"\\ud800":1}').issues?.[0]?.message).toMatch(/member name holds a lone surrogate/);
    expect(parseIJson('"\\ud83d\\ude00"', "body")).toBe("😀");
  });

  it("keeps MALFORMED_JSON for text that is not JSON", () => {
    expect(refusal("{").code).toBe("MALFORMED_JSON");
  });

  it("counts the members of any JSON text, whatever its strings hold", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const count = (v: unknown): number =>
          Array.isArray(v)
            ? v.reduce((n: number, x) => n + count(x), 0)
            : v !== null && typeof v === "object"
              ? Object.values(v).reduce((n: number, x) => n + 1 + count(x), 0)
              : 0;
        // fc.json() writes objects without duplicate names, so the count from the text is the parsed one.
        expect(countMembers(text)).toBe(count(JSON.parse(text)));
      }),
    );
  });
});

describe("parseIJson on deep bodies", () => {
  it("reads a body nested 200,000 deep without overflowing, and refuses one with a deep duplicate", () => {
    const depth = 200_000;
    expect(() => parseIJson(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`, "body")).not.toThrow();
    const err = refusal(`${'{"a":'.repeat(depth)}{"b":1,"b":2}${"}".repeat(depth)}`);
    expect(err.code).toBe("NOT_I_JSON");
    expect(err.issues).toEqual([{ path: "", message: expect.stringMatching(/nested too deep/) }]);
  });
});
