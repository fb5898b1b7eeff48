import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{shared,producer,consumer,scripts,test}/**/*.test.ts", "test/**/*.spec.ts"],
    // The real cluster starts once for the whole run (env, Docker, or the local launcher).
    globalSetup: ["test/global-setup.ts"],
    // Specs share the contract topics and a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
