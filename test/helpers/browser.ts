import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { atFileEnd } from "./teardown.ts";

/** Where Debian's chromium package puts the browser (scripts/setup/ensure.mjs installs it and checks the same paths). */
const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** Debian's Chromium (installed by the test set-up, `run.mjs --browser`), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!path) {
    throw new Error("no Chromium: run `npm run setup` (installs Debian's chromium) or set CHROMIUM_PATH");
  }
  return path;
}

export interface Pages {
  browser: Browser;
  /** A new page; every dialog it opens (an alert a payload might raise) is recorded and dismissed. */
  open(): Promise<Page>;
  /** Messages of the dialogs any page opened. */
  dialogs: string[];
  /** Uncaught errors in any page. */
  errors: string[];
}

/** A headless Chromium for the file, closed after its tests. */
export async function useBrowser(): Promise<Pages> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  atFileEnd(() => browser.close());
  const dialogs: string[] = [];
  const errors: string[] = [];
  return {
    browser,
    dialogs,
    errors,
    async open() {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on("pageerror", (err) => errors.push(err.message));
      return page;
    },
  };
}
