import { existsSync } from "node:fs";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { useAdmin, useNamespace } from "../helpers/kafka.ts";
import { expectOrdersConsumed } from "../helpers/pair.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

/** Debian's librdkafka1 (2.0.2 on bookworm), where installed (scripts/setup/ensure.mjs installs it and checks the same paths). */
const system = ["/usr/lib/x86_64-linux-gnu/librdkafka.so.1", "/usr/lib/aarch64-linux-gnu/librdkafka.so.1"].find(
  (path) => existsSync(path),
);

// The FFI adapter on an older librdkafka than the Confluent package's: the Deno pair, with
// LIBRDKAFKA_PATH naming the system's library.
describe.runIf(system)("Deno pair on the system's librdkafka (LIBRDKAFKA_PATH)", () => {
  const ns = useNamespace();
  let producer: Worker;
  let consumer: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    const env = { KAFKA_NAMESPACE: ns.prefix, LIBRDKAFKA_PATH: system as string };
    [producer, consumer] = await Promise.all([
      startWorker("producer", env, { runtime: "deno" }),
      startWorker("consumer", env, { runtime: "deno" }),
    ]);
  });

  it("loads the file LIBRDKAFKA_PATH names and logs its version", () => {
    for (const worker of [producer, consumer]) {
      expect(worker.logs.find((l) => l.msg === "librdkafka loaded through Deno FFI")).toMatchObject({
        librdkafka: system,
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      });
    }
  });

  it("produces, consumes and commits every order", async () => {
    await expectOrdersConsumed({ producer, consumer, admin, ns });
  });
});
