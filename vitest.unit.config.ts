import { defineConfig } from "vitest/config";

// The `unit` project on its own file, so Stryker can run exactly it (its vitest runner takes a
// config file, not a project name): in-process, on the in-memory transport, no cluster.
export default defineConfig({
  test: {
    name: "unit",
    include: ["{shared,producer,consumer,console,scripts}/**/*.test.ts", "test/unit/**/*.test.ts"],
    // Refuses sockets and child processes: a unit test that reaches for Kafka fails at once.
    setupFiles: ["test/unit/no-network.ts"],
    testTimeout: 5_000,
    hookTimeout: 5_000,
  },
});
