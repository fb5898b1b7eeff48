import type { LibrdkafkaOptions } from "../librdkafka/options.ts";

/** The Node adapter takes the core's options as they are. */
export type ConfluentOptions = LibrdkafkaOptions;
