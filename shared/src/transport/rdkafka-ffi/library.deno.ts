// librdkafka's C API through Deno FFI. Only plain calls: no C callbacks (they would run on
// librdkafka's threads, which Deno cannot enter), everything arrives as events on queues.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const p = "pointer" as const;
const b = "buffer" as const;

/**
 * The symbols in use. Calls that block inside librdkafka (waiting on a broker or a queue) are
 * `nonblocking`: Deno runs them on a worker thread and returns a Promise. `queue_poll` is
 * declared twice: awaited while waiting for the first event, then synchronous (timeout 0)
 * to drain what is queued without a thread hop per event.
 */
export const SYMBOLS = {
  rd_kafka_version: { parameters: [], result: "i32" },
  rd_kafka_version_str: { parameters: [], result: p },
  rd_kafka_err2str: { parameters: ["i32"], result: p },
  rd_kafka_conf_new: { parameters: [], result: p },
  rd_kafka_conf_set: { parameters: [p, b, b, b, "usize"], result: "i32" },
  rd_kafka_conf_destroy: { parameters: [p], result: "void" },
  rd_kafka_conf_set_events: { parameters: [p, "i32"], result: "void" },
  rd_kafka_new: { parameters: ["i32", p, b, "usize"], result: p },
  rd_kafka_destroy: { parameters: [p], result: "void", nonblocking: true },
  rd_kafka_set_log_queue: { parameters: [p, p], result: "i32" },
  rd_kafka_queue_get_main: { parameters: [p], result: p },
  rd_kafka_queue_get_consumer: { parameters: [p], result: p },
  rd_kafka_queue_new: { parameters: [p], result: p },
  rd_kafka_queue_destroy: { parameters: [p], result: "void" },
  queue_poll_wait: { name: "rd_kafka_queue_poll", parameters: [p, "i32"], result: p, nonblocking: true },
  queue_poll_now: { name: "rd_kafka_queue_poll", parameters: [p, "i32"], result: p },
  rd_kafka_event_type: { parameters: [p], result: "i32" },
  rd_kafka_event_destroy: { parameters: [p], result: "void" },
  rd_kafka_event_message_next: { parameters: [p], result: p },
  rd_kafka_event_error: { parameters: [p], result: "i32" },
  rd_kafka_event_error_string: { parameters: [p], result: p },
  rd_kafka_event_error_is_fatal: { parameters: [p], result: "i32" },
  rd_kafka_event_stats: { parameters: [p], result: p },
  rd_kafka_event_log: { parameters: [p, b, b, b], result: "i32" },
  rd_kafka_event_topic_partition_list: { parameters: [p], result: p },
  rd_kafka_event_opaque: { parameters: [p], result: p },
  rd_kafka_topic_name: { parameters: [p], result: p },
  rd_kafka_message_timestamp: { parameters: [p, p], result: "i64" },
  rd_kafka_message_headers: { parameters: [p, b], result: "i32" },
  rd_kafka_header_get_all: { parameters: [p, "usize", b, b, b], result: "i32" },
  rd_kafka_produceva: { parameters: [p, b, "usize"], result: p },
  rd_kafka_error_code: { parameters: [p], result: "i32" },
  rd_kafka_error_string: { parameters: [p], result: p },
  rd_kafka_error_is_fatal: { parameters: [p], result: "i32" },
  rd_kafka_error_is_retriable: { parameters: [p], result: "i32" },
  rd_kafka_error_txn_requires_abort: { parameters: [p], result: "i32" },
  rd_kafka_error_destroy: { parameters: [p], result: "void" },
  rd_kafka_flush: { parameters: [p, "i32"], result: "i32", nonblocking: true },
  rd_kafka_outq_len: { parameters: [p], result: "i32" },
  rd_kafka_fatal_error: { parameters: [p, b, "usize"], result: "i32" },
  rd_kafka_test_fatal_error: { parameters: [p, "i32", b], result: "i32" },
  rd_kafka_metadata: { parameters: [p, "i32", p, b, "i32"], result: "i32", nonblocking: true },
  rd_kafka_metadata_destroy: { parameters: [p], result: "void" },
  rd_kafka_init_transactions: { parameters: [p, "i32"], result: p, nonblocking: true },
  rd_kafka_begin_transaction: { parameters: [p], result: p },
  rd_kafka_commit_transaction: { parameters: [p, "i32"], result: p, nonblocking: true },
  rd_kafka_abort_transaction: { parameters: [p, "i32"], result: p, nonblocking: true },
  // KIP-447: a consumer's group metadata (a copy, ours to destroy) goes along with the offsets.
  rd_kafka_send_offsets_to_transaction: { parameters: [p, p, p, "i32"], result: p, nonblocking: true },
  rd_kafka_consumer_group_metadata: { parameters: [p], result: p },
  rd_kafka_consumer_group_metadata_destroy: { parameters: [p], result: "void" },
  rd_kafka_poll_set_consumer: { parameters: [p], result: "i32" },
  rd_kafka_subscribe: { parameters: [p, p], result: "i32" },
  rd_kafka_assign: { parameters: [p, p], result: "i32" },
  rd_kafka_incremental_assign: { parameters: [p, p], result: p },
  rd_kafka_incremental_unassign: { parameters: [p, p], result: p },
  rd_kafka_assignment_lost: { parameters: [p], result: "i32" },
  rd_kafka_rebalance_protocol: { parameters: [p], result: p },
  // With no queue, commit_queue waits for the broker's answer: awaited, on a worker thread.
  commit_wait: { name: "rd_kafka_commit_queue", parameters: [p, p, p, p, p], result: "i32", nonblocking: true },
  rd_kafka_committed: { parameters: [p, p, "i32"], result: "i32", nonblocking: true },
  // The next offset to hand out per partition, past transaction markers (fills the list in place).
  rd_kafka_position: { parameters: [p, p], result: "i32" },
  rd_kafka_pause_partitions: { parameters: [p, p], result: "i32" },
  rd_kafka_resume_partitions: { parameters: [p, p], result: "i32" },
  rd_kafka_seek_partitions: { parameters: [p, p, "i32"], result: p },
  rd_kafka_get_watermark_offsets: { parameters: [p, b, "i32", b, b], result: "i32" },
  rd_kafka_query_watermark_offsets: { parameters: [p, b, "i32", b, b, "i32"], result: "i32", nonblocking: true },
  rd_kafka_consumer_close_queue: { parameters: [p, p], result: p },
  rd_kafka_consumer_closed: { parameters: [p], result: "i32" },
  rd_kafka_topic_partition_list_new: { parameters: ["i32"], result: p },
  rd_kafka_topic_partition_list_add: { parameters: [p, b, "i32"], result: p },
  rd_kafka_topic_partition_list_set_offset: { parameters: [p, b, "i32", "i64"], result: "i32" },
  rd_kafka_topic_partition_list_destroy: { parameters: [p], result: "void" },
  rd_kafka_NewTopic_new: { parameters: [b, "i32", "i32", b, "usize"], result: p },
  rd_kafka_NewTopic_destroy: { parameters: [p], result: "void" },
  rd_kafka_CreateTopics: { parameters: [p, b, "usize", p, p], result: "void" },
  rd_kafka_event_CreateTopics_result: { parameters: [p], result: p },
  rd_kafka_CreateTopics_result_topics: { parameters: [p, b], result: p },
  rd_kafka_DeleteTopic_new: { parameters: [b], result: p },
  rd_kafka_DeleteTopic_destroy: { parameters: [p], result: "void" },
  rd_kafka_DeleteTopics: { parameters: [p, b, "usize", p, p], result: "void" },
  rd_kafka_event_DeleteTopics_result: { parameters: [p], result: p },
  rd_kafka_DeleteTopics_result_topics: { parameters: [p, b], result: p },
  rd_kafka_topic_result_error: { parameters: [p], result: "i32" },
  rd_kafka_topic_result_error_string: { parameters: [p], result: p },
  rd_kafka_topic_result_name: { parameters: [p], result: p },
} as const satisfies Deno.ForeignLibraryInterface;

export type RdKafka = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

export interface LoadedLibrary {
  symbols: RdKafka;
  path: string;
  version: string;
}

/** Where the Confluent npm package keeps the librdkafka it built (dynamic linking), if installed. */
function packagedLibrary(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules/@confluentinc/kafka-javascript/build/deps/librdkafka.so.1");
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The order the library is looked for: LIBRDKAFKA_PATH, the Confluent package's copy, the system's. */
export function librdkafkaCandidates(explicitPath: string | undefined): string[] {
  if (explicitPath) return [explicitPath];
  const packaged = packagedLibrary();
  return [...(packaged ? [packaged] : []), "librdkafka.so.1"];
}

let loaded: LoadedLibrary | undefined;

/**
 * Opens librdkafka once per process. Throws an error naming every file tried and why it
 * failed, including a symbol this adapter needs and the library lacks (an older librdkafka).
 */
export function loadLibrdkafka(explicitPath?: string): LoadedLibrary {
  if (loaded) return loaded;
  const failures: string[] = [];
  for (const path of librdkafkaCandidates(explicitPath)) {
    try {
      // Never closed: librdkafka's own threads live as long as the process.
      const lib = Deno.dlopen(path, SYMBOLS);
      const version = new Deno.UnsafePointerView(lib.symbols.rd_kafka_version_str() as Deno.PointerObject).getCString();
      loaded = { symbols: lib.symbols, path, version };
      return loaded;
    } catch (err) {
      failures.push(`${path}: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `cannot load librdkafka through Deno FFI (needs --allow-ffi; set LIBRDKAFKA_PATH, install @confluentinc/kafka-javascript, or the system's librdkafka1). Tried: ${failures.join("; ")}`,
  );
}
