// Package boundaries, checked by `npm run check:deps` (part of `npm run check`). See docs/architecture.md.
const clients = "node_modules/(@confluentinc/kafka-javascript|kafkajs|@platformatic/kafka)/";
// The adapter directories: reaching one means loading its Kafka client.
const adapters =
  "^shared/src/transport/(confluent|platformatic|rdkafka-ffi)/(index|producer|consumer|admin|native)(\\.deno)?\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "No import cycles, type-only imports included: a cycle means two modules are one concern split in two, or a barrel imported from inside its own folder.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...["producer", "consumer", "shared", "console"].map((pkg) => ({
      name: `no-path-into-${pkg}-src`,
      comment: `Outside ${pkg}/, import @kafka-pair/${pkg} by its package name (package.json exports), not by a path into its src/.`,
      severity: "error",
      from: { pathNot: `^${pkg}/` },
      // A package-name import resolves to the same file, but as "aliased" (or "undetermined" inside a workspace).
      to: { path: `^${pkg}/src/`, dependencyTypes: ["local"], dependencyTypesNot: ["aliased", "undetermined"] },
    })),
    {
      name: "contracts-load-no-kafka-client",
      comment:
        "Contracts, errors, the transport interfaces and the in-memory transport must load without any Kafka client.",
      severity: "error",
      from: {
        path: "^shared/src/(contracts/|errors\\.ts|transport/(types|admin|producer|consumer)\\.ts|transport/memory/|testing\\.ts)",
      },
      to: { path: adapters, reachable: true },
    },
    {
      name: "tooling-one-way",
      comment:
        "scripts/ is the infrastructure (Kafka launcher, set-up, free ports, docs generators) that bench/, test/ and faults/ build on; measurements live in bench/ (bench/measure/). Nothing in scripts/ imports bench/, test/ or faults/.",
      severity: "error",
      from: { path: "^scripts/" },
      to: { path: "^(bench|test|faults)/" },
    },
    {
      name: "kafkajs-is-a-bench-peer",
      comment: "KafkaJS is the benchmark's peer (bench/peers/kafkajs), not a client of the product.",
      severity: "error",
      from: { path: "^(shared|producer|consumer)/" },
      to: { path: ["node_modules/kafkajs/", "^bench/"] },
    },
    {
      name: "librdkafka-core-calls-no-client",
      comment:
        "The librdkafka core decides, the native layers call: the core imports neither a native layer nor a Kafka client, so the unit project runs it on a fake layer.",
      severity: "error",
      from: { path: "^shared/src/transport/librdkafka/" },
      to: { path: [clients, "^shared/src/transport/(confluent|rdkafka-ffi|platformatic)/"] },
    },
    {
      name: "apps-see-interfaces-only",
      comment:
        "The HTTP edge and the consumer runtime use the transport interfaces; only entry points pick an adapter.",
      severity: "error",
      from: {
        path: "^(producer|consumer)/src/",
        pathNot: "(^|/)main(\\.deno)?\\.ts$",
      },
      to: { path: [clients, "^shared/src/transport/(confluent|platformatic|rdkafka-ffi|select)"] },
    },
    {
      name: "console-sees-its-cluster-interface",
      comment:
        "The console's pages and routes use console/src/cluster/types.ts; only its entry point and cluster/confluent.ts load a Kafka client.",
      severity: "error",
      from: { path: "^console/src/", pathNot: "^console/src/(main|cluster/confluent)\\.ts$" },
      to: { path: [clients, "^shared/src/transport/(confluent|platformatic|rdkafka-ffi|select)"] },
    },
    {
      name: "unit-tests-load-no-kafka-client",
      comment: "The unit project runs without a cluster or native addon: its tests reach no Kafka client.",
      severity: "error",
      from: { path: "^(shared|producer|consumer|console|scripts)/.*\\.test\\.ts$|^test/unit/" },
      to: { path: adapters, reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.stryker-tmp|reports|\\.kafka)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
