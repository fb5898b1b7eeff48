import { defineConfig } from "vitest/config";

/**
 * `npm run faults`: the fast fault specs of `npm test`, the consumer crash spec, and the slow
 * cases that kill brokers of the suite's own cluster (faults/global-setup.ts starts it).
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.spec.ts", "test/e2e/consumer-crash.spec.ts", "faults/cases/**/*.fault.ts"],
    globalSetup: ["faults/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
  },
});
