import { readFile } from "node:fs/promises";
import { build, type Plugin } from "esbuild";

/** The browser scripts, one bundle per page that has one. */
const ENTRIES = ["tail", "chart", "dead-letters", "produce"] as const;
export type ScriptName = (typeof ENTRIES)[number];

/** What /assets serves: file name → content type and body. */
export type Assets = Map<string, { type: string; body: string }>;

/**
 * The contracts module reaches node:buffer (Buffer.from in encodeValue, which the page never
 * calls): the browser bundle gets a stand-in built on TextEncoder.
 */
const browserBuffer: Plugin = {
  name: "browser-buffer",
  setup(b) {
    b.onResolve({ filter: /^node:buffer$/ }, () => ({ path: "buffer", namespace: "browser-buffer" }));
    b.onLoad({ filter: /.*/, namespace: "browser-buffer" }, () => ({
      contents: "export const Buffer = { from: (text) => new TextEncoder().encode(text) };",
      loader: "js",
    }));
  },
};

/**
 * Bundles console/src/client/*.ts for the browser with esbuild (once, at start: about a second)
 * and reads the stylesheet. The produce page's bundle carries the contracts' valibot schemas, so
 * the form checks an event with the very schema the producer edge applies.
 */
export async function buildAssets(): Promise<Assets> {
  const here = new URL(".", import.meta.url);
  const result = await build({
    entryPoints: ENTRIES.map((name) => new URL(`../client/${name}.ts`, here).pathname),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    outdir: "/assets",
    plugins: [browserBuffer],
    logLevel: "silent",
  });
  const assets: Assets = new Map();
  for (const file of result.outputFiles) {
    assets.set(file.path.replace(/^.*\//, ""), { type: "text/javascript; charset=utf-8", body: file.text });
  }
  const css = await readFile(new URL("console.css", here), "utf8");
  assets.set("console.css", { type: "text/css; charset=utf-8", body: css });
  return assets;
}
