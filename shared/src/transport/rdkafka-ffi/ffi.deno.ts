// Small helpers over the raw symbols: C strings, configuration, errors, the event pump.
import { setImmediate } from "node:timers";
import type { Logger } from "../../runtime/log.ts";
import type { NativeErrorInfo } from "../librdkafka/native.ts";
import { CONST, LAYOUT } from "./layout.ts";
import type { LoadedLibrary, RdKafka } from "./library.deno.ts";

export type Ptr = Deno.PointerValue;
const encoder = new TextEncoder();
const ERRSTR_SIZE = 512n;

/** A NUL-terminated copy of `text`, for `buffer` parameters (lives as long as the JS value). */
export const cstr = (text: string): Uint8Array<ArrayBuffer> => encoder.encode(`${text}\0`);

export function readCString(ptr: Ptr): string {
  return ptr ? Deno.UnsafePointerView.getCString(ptr) : "";
}

/** The address of a buffer's first byte (0 for an empty one), for writing into C structs. */
export function addressOf(buffer: Uint8Array<ArrayBuffer>): bigint {
  if (buffer.byteLength === 0) return 0n;
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

/** Reads the pointer an out-parameter (a one-slot BigUint64Array) received. */
export function outPointer(slot: BigUint64Array<ArrayBuffer>): Ptr {
  return Deno.UnsafePointer.create(slot[0] ?? 0n);
}

export function errorName(rd: RdKafka, code: number): string {
  return readCString(rd.rd_kafka_err2str(code));
}

/** What an rd_kafka_error_t said; the object is destroyed here (it belongs to the caller). */
export function takeError(rd: RdKafka, error: Ptr): NativeErrorInfo | undefined {
  if (!error) return undefined;
  const result = {
    code: rd.rd_kafka_error_code(error),
    message: readCString(rd.rd_kafka_error_string(error)),
    fatal: rd.rd_kafka_error_is_fatal(error) !== 0,
    retriable: rd.rd_kafka_error_is_retriable(error) !== 0,
    txnRequiresAbort: rd.rd_kafka_error_txn_requires_abort(error) !== 0,
  };
  rd.rd_kafka_error_destroy(error);
  return result;
}

/**
 * Creates an rd_kafka_t. Ownership: the conf object is ours until rd_kafka_new succeeds, then
 * the handle's (freed with it); the handle is the caller's, freed with rd_kafka_destroy after
 * every queue obtained from it has been destroyed.
 */
export function newHandle(
  lib: LoadedLibrary,
  type: number,
  properties: Record<string, string | number | boolean>,
  events: number,
): NonNullable<Ptr> {
  // A handle whose queue is served gets librdkafka's log lines as LOG events (into the worker's
  // JSON log); one that is never polled keeps librdkafka's own stderr lines instead.
  if (events !== 0) {
    properties = { ...properties, "log.queue": true };
    events |= CONST.EVENT_LOG;
  }
  const rd = lib.symbols;
  const errstr = new Uint8Array(Number(ERRSTR_SIZE));
  const conf = rd.rd_kafka_conf_new();
  for (const [key, value] of Object.entries(properties)) {
    if (rd.rd_kafka_conf_set(conf, cstr(key), cstr(String(value)), errstr, ERRSTR_SIZE) !== CONST.RD_KAFKA_CONF_OK) {
      rd.rd_kafka_conf_destroy(conf);
      throw new Error(`librdkafka ${lib.version} refuses ${key}=${value}: ${decodeErrstr(errstr)}`);
    }
  }
  rd.rd_kafka_conf_set_events(conf, events);
  const rk = rd.rd_kafka_new(type, conf, errstr, ERRSTR_SIZE);
  if (!rk) {
    rd.rd_kafka_conf_destroy(conf);
    throw new Error(`rd_kafka_new failed: ${decodeErrstr(errstr)}`);
  }
  // Without a queue set, log.queue keeps the lines in a queue of their own that nobody serves.
  if (events !== 0) rd.rd_kafka_set_log_queue(rk, null);
  return rk;
}

function decodeErrstr(errstr: Uint8Array): string {
  const end = errstr.indexOf(0);
  return new TextDecoder().decode(errstr.subarray(0, end < 0 ? errstr.length : end));
}

/**
 * Serves one librdkafka queue: waits for an event on a worker thread (the awaited poll), then
 * drains what else is queued synchronously. `handle` returns true to keep the event (it then
 * destroys it itself later); otherwise the event is destroyed once handled.
 */
export class EventPump {
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(
    private readonly rd: RdKafka,
    private readonly queue: NonNullable<Ptr>,
    private readonly handle: (event: NonNullable<Ptr>, type: number) => boolean,
    private readonly logger: Logger,
    private readonly waitMs = 100,
    /** Events served per turn before yielding to the event loop (message handlers, timers, I/O). */
    private readonly maxBatch = 1000,
    /** Called after each turn, empty ones included: every event polled so far has been handled. */
    private readonly afterTurn: () => void = () => {},
  ) {
    this.#done = this.#loop();
  }

  async #loop(): Promise<void> {
    const rd = this.rd;
    while (!this.#stopped) {
      let event = await rd.queue_poll_wait(this.queue, this.waitMs);
      for (let served = 0; event; served++) {
        let keep = false;
        try {
          keep = this.handle(event, rd.rd_kafka_event_type(event));
        } catch (err) {
          this.logger.error({ err }, "librdkafka event handler failed");
        }
        if (!keep) rd.rd_kafka_event_destroy(event);
        // After a full turn, a macrotask: the message handlers' promise chains did not get to run
        // between awaited polls (measured: the pump outran them), timers and I/O neither.
        if (served >= this.maxBatch) {
          await new Promise((resolve) => setImmediate(resolve));
          break;
        }
        event = rd.queue_poll_now(this.queue, 0);
      }
      try {
        this.afterTurn();
      } catch (err) {
        this.logger.error({ err }, "librdkafka turn handler failed");
      }
    }
  }

  /** Resolves once no poll is running: the queue may then be destroyed. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#done;
  }
}

/** A LOG event into the worker's log, at the level its syslog severity maps to. */
export function logEvent(rd: RdKafka, event: NonNullable<Ptr>, logger: Logger): void {
  const fac = new BigUint64Array(1);
  const str = new BigUint64Array(1);
  const level = new Int32Array(1);
  if (rd.rd_kafka_event_log(event, fac, str, level) !== 0) return;
  const fields = { librdkafka: readCString(outPointer(fac)) };
  const message = readCString(outPointer(str));
  const severity = level[0] ?? 7;
  if (severity <= 3) logger.error(fields, message);
  else if (severity === 4) logger.warn(fields, message);
  else if (severity <= 6) logger.info(fields, message);
  else logger.debug(fields, message);
}

/** rd_kafka_topic_partition_list_t contents (the list stays the caller's). */
export function readPartitionList(list: Ptr): Array<{ topic: string; partition: number; offset: bigint; err: number }> {
  if (!list) return [];
  const view = new Deno.UnsafePointerView(list);
  const count = view.getInt32(LAYOUT.topicPartitionList.cnt);
  const elems = view.getPointer(LAYOUT.topicPartitionList.elems);
  if (!elems || count === 0) return [];
  const tp = LAYOUT.topicPartition;
  const elemView = new Deno.UnsafePointerView(elems);
  const out = [];
  for (let i = 0; i < count; i++) {
    const base = i * tp.size;
    out.push({
      topic: readCString(elemView.getPointer(base + tp.topic)),
      partition: elemView.getInt32(base + tp.partition),
      offset: elemView.getBigInt64(base + tp.offset),
      err: elemView.getInt32(base + tp.err),
    });
  }
  return out;
}

/**
 * A new rd_kafka_topic_partition_list_t; the caller owns it and frees it with
 * rd_kafka_topic_partition_list_destroy (librdkafka copies what it keeps).
 */
export function makePartitionList(
  rd: RdKafka,
  entries: Array<{ topic: string; partition: number; offset?: bigint }>,
): NonNullable<Ptr> {
  const list = rd.rd_kafka_topic_partition_list_new(Math.max(entries.length, 1));
  if (!list) throw new Error("rd_kafka_topic_partition_list_new returned NULL");
  for (const entry of entries) {
    const topic = cstr(entry.topic);
    rd.rd_kafka_topic_partition_list_add(list, topic, entry.partition);
    if (entry.offset !== undefined)
      rd.rd_kafka_topic_partition_list_set_offset(list, topic, entry.partition, entry.offset);
  }
  return list;
}
