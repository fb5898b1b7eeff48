import { defineConfig } from "vitest/config";

// Three projects, each complete in itself (no option left to inheritance, whose default
// changed between vitest 4 and 5): `unit` runs in-process on the in-memory transport,
// `bench` the benchmark's own tests, `e2e` against a real cluster that the global setup
// starts once for the whole run.
export default defineConfig({
  test: {
    // A global option: the cluster's global teardown may take a while to stop three brokers.
    teardownTimeout: 60_000,
    projects: [
      "vitest.unit.config.ts",
      {
        test: {
          // The benchmark's own code (its peers, its sweep and round logic): in-process, no
          // cluster, but not the product: kept out of `unit` (and of its mutation runs).
          name: "bench",
          include: ["bench/**/*.test.ts"],
          setupFiles: ["test/unit/no-network.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          // test/: specs against the cluster. A *.spec.ts beside its code runs in-process but needs
          // what the unit project refuses (a real socket, a compiler): it runs here, not in `unit`.
          include: ["test/**/*.spec.ts", "{shared,producer,consumer,console}/src/**/*.spec.ts", "scripts/**/*.spec.ts"],
          // The real cluster starts once for the whole run (env, Docker, or the local launcher).
          globalSetup: ["test/global-setup.ts"],
          // Specs share the contract topics and a 2-core machine: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
