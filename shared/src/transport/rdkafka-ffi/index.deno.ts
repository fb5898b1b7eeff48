// Deno only: the librdkafka core (../librdkafka/) on librdkafka's C library through Deno FFI
// (`--allow-ffi`), the library the Node adapter runs on, without its Node binding (a nan addon
// Deno cannot load).
import { LibrdkafkaConsumer } from "../librdkafka/consumer.ts";
import { LibrdkafkaProducer } from "../librdkafka/producer.ts";
import type { KafkaTransport } from "../types.ts";
import { FfiAdmin } from "./admin.deno.ts";
import { loadLibrdkafka } from "./library.deno.ts";
import { type FfiHeader, ffiLayer } from "./native.deno.ts";
import type { FfiOptions } from "./options.deno.ts";

export type { FfiProducerHandle } from "./native.deno.ts";
export type { FfiOptions } from "./options.deno.ts";
export type FfiProducer = LibrdkafkaProducer<FfiHeader>;

/** Loads librdkafka (see library.deno.ts for where from) and logs which file and version. */
export function rdkafkaFfiTransport(options: Omit<FfiOptions, "lib"> & { libraryPath?: string }): KafkaTransport {
  const lib = loadLibrdkafka(options.libraryPath);
  options.logger.info({ librdkafka: lib.path, version: lib.version }, "librdkafka loaded through Deno FFI");
  const full: FfiOptions = { ...options, lib };
  const layer = ffiLayer(lib, options.logger);
  return {
    name: "rdkafka-ffi",
    producer: () => new LibrdkafkaProducer(layer, full),
    consumer: (consumerOptions) => new LibrdkafkaConsumer(layer, full, consumerOptions),
    admin: () => new FfiAdmin(full),
  };
}
