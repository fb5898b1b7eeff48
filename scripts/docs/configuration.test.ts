import { readFile } from "node:fs/promises";
import { Env } from "@kafka-pair/shared/runtime";
import { describe, expect, it } from "vitest";
import { configurationDocPath, renderConfigurationDoc } from "./configuration.ts";

describe("docs/configuration.md", () => {
  it("is what the config schema generates (run `npm run docs:config` after changing shared/src/runtime/config.ts)", async () => {
    expect(await readFile(configurationDocPath, "utf8")).toBe(renderConfigurationDoc());
  });

  it("documents every variable, each with a description", () => {
    const page = renderConfigurationDoc();
    for (const name of Object.keys(Env.entries)) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row?.split(" | ")[3]?.replace(/ \|$/, "").trim(), `${name} has a description`).not.toBe("");
    }
  });
});
