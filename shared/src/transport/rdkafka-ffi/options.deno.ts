import type { LibrdkafkaOptions } from "../librdkafka/options.ts";
import type { LoadedLibrary } from "./library.deno.ts";

/** The core's options and the loaded library. */
export interface FfiOptions extends LibrdkafkaOptions {
  lib: LoadedLibrary;
}
