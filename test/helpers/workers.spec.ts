import { describe, expect, it } from "vitest";
import { startWorker } from "./workers.ts";

// The helper's own contract: a worker that cannot start fails its spec at once, saying why,
// instead of after the 90 s ready wait (eventually retries what a check throws).
describe("startWorker", () => {
  it("rejects as soon as the worker exits before /ready, with its stderr", async () => {
    const started = startWorker("producer", { LOG_LEVEL: "loud" });
    await expect(started).rejects.toThrow(/^producer exited with 1 before it was ready: [\s\S]*LOG_LEVEL/);
  });
});
