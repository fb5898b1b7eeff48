import { type AnyNode, parse as parseAst } from "@humanwhocodes/momoa";
import { type FieldIssue, KafkaPairError } from "@kafka-pair/shared/errors";

/**
 * JSON.parse, then the two I-JSON rules (RFC 7493) that make a document mean the same to every
 * reader: no member name twice in one object (JSON.parse keeps the last, other parsers the first
 * or both), and every string Unicode text (no lone surrogate from a `\ud800` escape, which has no
 * UTF-8 form). V8's JSON.parse reads the values; the checks cost one pass over the text and one
 * over the value, and only a body that fails them is parsed again by momoa for a line and column.
 */
export function parseIJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new KafkaPairError("MALFORMED_JSON", `${what} is not valid JSON: ${(cause as Error).message}`);
  }
  const counted = countValue(value);
  const maySurrogate = LONE_SURROGATE_ESCAPE.test(text);
  if (counted.members !== countMembers(text) || (maySurrogate && !counted.wellFormed)) {
    const issues = findIssues(text);
    throw new KafkaPairError("NOT_I_JSON", `${what} is not I-JSON (RFC 7493): ${describe(issues)}`, { issues });
  }
  return value;
}

// A `\uD800`-`\uDFFF` escape: the only way a lone surrogate gets into a string that is UTF-8 text.
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Members of every object in a parsed value (duplicates collapsed), and whether every string is
 * Unicode. Iterative: V8 parses bodies nested 200,000 deep, which a recursive walk cannot follow.
 */
function countValue(value: unknown): { members: number; wellFormed: boolean } {
  let members = 0;
  let wellFormed = true;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (!v.isWellFormed()) wellFormed = false;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const [name, item] of Object.entries(v)) {
        members++;
        if (!name.isWellFormed()) wellFormed = false;
        stack.push(item);
      }
    }
  }
  return { members, wellFormed };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Members written in a valid JSON text: its colons outside strings. */
export function countMembers(text: string): number {
  let colons = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === COLON) colons++;
  }
  return colons;
}

/** Every duplicate member name and non-Unicode string, with its path and position, from momoa's tree. */
export function findIssues(text: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const at = (node: AnyNode) => `line ${node.loc.start.line}, column ${node.loc.start.column}`;
  const join = (path: string, part: string | number) => (path === "" ? String(part) : `${path}.${part}`);
  const visit = (node: AnyNode, path: string): void => {
    if (node.type === "String" && !node.value.isWellFormed()) {
      issues.push({ path, message: `string holds a lone surrogate, not Unicode text (${at(node)})` });
    } else if (node.type === "Array") {
      node.elements.forEach((element, index) => {
        visit(element.value, join(path, index));
      });
    } else if (node.type === "Object") {
      const seen = new Set<string>();
      for (const member of node.members) {
        const name = member.name.type === "String" ? member.name.value : member.name.name;
        const memberPath = join(path, name);
        if (!name.isWellFormed())
          issues.push({ path: memberPath, message: `member name holds a lone surrogate (${at(member.name)})` });
        if (seen.has(name))
          issues.push({
            path: memberPath,
            message: `member name "${name}" appears twice (again at ${at(member.name)})`,
          });
        seen.add(name);
        visit(member.value, memberPath);
      }
    }
  };
  try {
    visit(parseAst(text, { mode: "json" }).body, "");
  } catch (err) {
    // momoa parses recursively: a body nested deeper than the stack is refused without a position.
    if (!(err instanceof RangeError)) throw err;
    return [{ path: "", message: "a member name twice or a lone surrogate, nested too deep to locate" }];
  }
  return issues;
}

function describe(issues: FieldIssue[]): string {
  const [first, ...more] = issues;
  if (!first) return "ambiguous JSON";
  const where = first.path === "" ? "" : ` at ${first.path}`;
  return `${first.message}${where}${more.length > 0 ? ` (and ${more.length} more)` : ""}`;
}
