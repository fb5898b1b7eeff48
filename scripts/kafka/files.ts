/** Small file helpers shared by the launcher's modules. */
import { statSync } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";

export async function writeIfChanged(path: string, content: string): Promise<void> {
  const current = await readFile(path, "utf8").catch(() => null);
  if (current !== content) await writeFile(path, content);
}

export async function tail(path: string, lines = 40): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}

export async function fileSize(path: string): Promise<number> {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function logSince(path: string, offset: number): Promise<string> {
  const size = await fileSize(path);
  const from = size < offset ? 0 : offset; // rolled over since we looked
  const fh = await open(path, "r").catch(() => null);
  if (!fh) return "";
  try {
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    return buf.toString("utf8");
  } finally {
    await fh.close();
  }
}
