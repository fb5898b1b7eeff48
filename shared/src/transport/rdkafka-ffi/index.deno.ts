// Deno only: librdkafka's C library through Deno FFI (`--allow-ffi`), the client the Node
// adapter runs on, without its Node binding (a nan addon Deno cannot load).
import type { KafkaTransport } from "../types.ts";
import { FfiAdmin } from "./admin.deno.ts";
import { FfiConsumer } from "./consumer.deno.ts";
import { loadLibrdkafka } from "./library.deno.ts";
import type { FfiOptions } from "./options.deno.ts";
import { FfiProducer } from "./producer.deno.ts";

export type { FfiOptions } from "./options.deno.ts";
export type { FfiProducer };

/** Loads librdkafka (see library.deno.ts for where from) and logs which file and version. */
export function rdkafkaFfiTransport(options: Omit<FfiOptions, "lib"> & { libraryPath?: string }): KafkaTransport {
  const lib = loadLibrdkafka(options.libraryPath);
  options.logger.info({ librdkafka: lib.path, version: lib.version }, "librdkafka loaded through Deno FFI");
  const full: FfiOptions = { ...options, lib };
  return {
    name: "rdkafka-ffi",
    producer: () => new FfiProducer(full),
    consumer: (consumerOptions) => new FfiConsumer(full, consumerOptions),
    admin: () => new FfiAdmin(full),
  };
}
