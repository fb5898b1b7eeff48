import type { AdminTransport, TopicSpec, TopicState } from "../admin.ts";
import { connectionProperties } from "../librdkafka/config.ts";
import { cstr, errorName, newHandle, outPointer, type Ptr, readCString, readPartitionList } from "./ffi.deno.ts";
import { CONST, LAYOUT } from "./layout.ts";
import type { RdKafka } from "./library.deno.ts";
import type { FfiOptions } from "./options.deno.ts";

const ADMIN_TIMEOUT_MS = 30_000;

/** Metadata of every topic: name → partitions and their replicas. */
interface TopicMetadata {
  name: string;
  err: number;
  partitions: Array<{ id: number; replicas: number }>;
}

/**
 * The admin calls the workers need, on librdkafka's Admin API and metadata. Ownership: the
 * handle is this object's (destroyed in disconnect); each request's queue, NewTopic/DeleteTopic
 * objects and result event are freed in the call that made them.
 */
export class FfiAdmin implements AdminTransport {
  readonly #options: FfiOptions;
  readonly #rd: RdKafka;
  #rk: NonNullable<Ptr> | undefined;
  /** Consumer-type handles for watermark queries, one per isolation level (a handle-wide setting). */
  readonly #offsetHandles = new Map<string, NonNullable<Ptr>>();

  constructor(options: FfiOptions) {
    this.#options = options;
    this.#rd = options.lib.symbols;
  }

  async connect(): Promise<void> {
    this.#rk = newHandle(this.#options.lib, CONST.RD_KAFKA_PRODUCER, connectionProperties(this.#options.connection), 0);
    await this.#metadata();
  }

  #handle(): NonNullable<Ptr> {
    if (!this.#rk) throw new Error("admin is not connected");
    return this.#rk;
  }

  async #metadata(rk: NonNullable<Ptr> = this.#handle()): Promise<TopicMetadata[]> {
    const rd = this.#rd;
    const slot = new BigUint64Array(1);
    const err = await rd.rd_kafka_metadata(rk, 1, null, slot, ADMIN_TIMEOUT_MS);
    if (err !== CONST.ERR_NO_ERROR) throw new Error(`metadata: ${errorName(rd, err)}`);
    // The metadata object is ours: read, then freed.
    const md = outPointer(slot);
    try {
      const view = new Deno.UnsafePointerView(md as Deno.PointerObject);
      const M = LAYOUT.metadata;
      const T = LAYOUT.metadataTopic;
      const P = LAYOUT.metadataPartition;
      const topicCount = view.getInt32(M.topicCnt);
      const topicsPtr = view.getPointer(M.topics);
      const topics: TopicMetadata[] = [];
      if (!topicsPtr) return topics;
      const topicsView = new Deno.UnsafePointerView(topicsPtr);
      for (let i = 0; i < topicCount; i++) {
        const base = i * T.size;
        const count = topicsView.getInt32(base + T.partitionCnt);
        const partsPtr = topicsView.getPointer(base + T.partitions);
        const partitions = [];
        if (partsPtr) {
          const partsView = new Deno.UnsafePointerView(partsPtr);
          for (let j = 0; j < count; j++) {
            partitions.push({
              id: partsView.getInt32(j * P.size + P.id),
              replicas: partsView.getInt32(j * P.size + P.replicaCnt),
            });
          }
        }
        topics.push({
          name: readCString(topicsView.getPointer(base + T.topic)),
          err: topicsView.getInt32(base + T.err),
          partitions,
        });
      }
      return topics;
    } finally {
      rd.rd_kafka_metadata_destroy(md);
    }
  }

  async describeTopics(names: string[]): Promise<Map<string, TopicState>> {
    const wanted = new Set(names);
    const states = new Map<string, TopicState>();
    for (const topic of await this.#metadata()) {
      if (!wanted.has(topic.name) || topic.err !== CONST.ERR_NO_ERROR) continue;
      states.set(topic.name, {
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: topic.partitions[0]?.replicas ?? 0,
      });
    }
    return states;
  }

  /**
   * Runs one admin request whose result arrives as an event on a queue of its own; returns the
   * per-topic errors. `submit` gets the queue; the queue and the event are freed here.
   */
  async #adminRequest(
    submit: (queue: NonNullable<Ptr>) => void,
    results: (event: NonNullable<Ptr>, count: BigUint64Array<ArrayBuffer>) => Ptr,
  ): Promise<Array<{ name: string; code: number; message: string }>> {
    const rd = this.#rd;
    const queue = rd.rd_kafka_queue_new(this.#handle());
    if (!queue) throw new Error("rd_kafka_queue_new returned NULL");
    try {
      submit(queue);
      const event = await rd.queue_poll_wait(queue, ADMIN_TIMEOUT_MS + 5_000);
      if (!event) throw new Error("admin request timed out");
      try {
        const code = rd.rd_kafka_event_error(event);
        if (code !== CONST.ERR_NO_ERROR)
          throw new Error(`admin request failed: ${readCString(rd.rd_kafka_event_error_string(event))}`);
        const count = new BigUint64Array(1);
        const array = results(event, count);
        const out = [];
        if (array) {
          const view = new Deno.UnsafePointerView(array);
          for (let i = 0; i < Number(count[0]); i++) {
            const result = view.getPointer(i * 8);
            out.push({
              name: readCString(rd.rd_kafka_topic_result_name(result)),
              code: rd.rd_kafka_topic_result_error(result),
              message: readCString(rd.rd_kafka_topic_result_error_string(result)),
            });
          }
        }
        return out;
      } finally {
        rd.rd_kafka_event_destroy(event);
      }
    } finally {
      rd.rd_kafka_queue_destroy(queue);
    }
  }

  /** A C array of object pointers for the Admin API (the objects stay the caller's). */
  #pointerArray(pointers: Ptr[]): BigUint64Array<ArrayBuffer> {
    return BigUint64Array.from(pointers.map((ptr) => BigInt(Deno.UnsafePointer.value(ptr))));
  }

  async createTopics(specs: TopicSpec[]): Promise<void> {
    const rd = this.#rd;
    // One at a time, so that one topic existing already can't hide the failure of another.
    for (const spec of specs) {
      const errstr = new Uint8Array(512);
      const newTopic = rd.rd_kafka_NewTopic_new(cstr(spec.name), spec.partitions, spec.replicationFactor, errstr, 512n);
      if (!newTopic)
        throw new Error(`NewTopic ${spec.name}: ${new TextDecoder().decode(errstr.subarray(0, errstr.indexOf(0)))}`);
      try {
        const array = this.#pointerArray([newTopic]);
        const results = await this.#adminRequest(
          (queue) => rd.rd_kafka_CreateTopics(this.#handle(), array, 1n, null, queue),
          (event, count) => rd.rd_kafka_CreateTopics_result_topics(rd.rd_kafka_event_CreateTopics_result(event), count),
        );
        for (const result of results) {
          // Two workers starting together both try to create the topics; the loser is fine.
          if (result.code !== CONST.ERR_NO_ERROR && result.code !== CONST.ERR_TOPIC_ALREADY_EXISTS)
            throw new Error(`cannot create topic ${result.name}: ${result.message}`);
        }
      } finally {
        rd.rd_kafka_NewTopic_destroy(newTopic);
      }
    }
  }

  async deleteTopics(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const rd = this.#rd;
    const objects = names.map((name) => rd.rd_kafka_DeleteTopic_new(cstr(name)));
    try {
      const array = this.#pointerArray(objects);
      const results = await this.#adminRequest(
        (queue) => rd.rd_kafka_DeleteTopics(this.#handle(), array, BigInt(names.length), null, queue),
        (event, count) => rd.rd_kafka_DeleteTopics_result_topics(rd.rd_kafka_event_DeleteTopics_result(event), count),
      );
      const failed = results.find((r) => r.code !== CONST.ERR_NO_ERROR);
      if (failed) throw new Error(`cannot delete topic ${failed.name}: ${failed.message}`);
    } finally {
      for (const object of objects) rd.rd_kafka_DeleteTopic_destroy(object);
    }
  }

  #offsetHandle(isolation: string): NonNullable<Ptr> {
    let rk = this.#offsetHandles.get(isolation);
    if (!rk) {
      rk = newHandle(
        this.#options.lib,
        CONST.RD_KAFKA_CONSUMER,
        { ...connectionProperties(this.#options.connection), "isolation.level": isolation },
        0,
      );
      this.#offsetHandles.set(isolation, rk);
    }
    return rk;
  }

  async endOffsets(topic: string, isolation: "read_committed" | "read_uncommitted" = "read_uncommitted") {
    const rd = this.#rd;
    const meta = (await this.#metadata()).find((t) => t.name === topic);
    const rk = this.#offsetHandle(isolation);
    const out = new Map<number, string>();
    const name = cstr(topic);
    for (const { id } of meta?.partitions ?? []) {
      const low = new BigInt64Array(1);
      const high = new BigInt64Array(1);
      // Buffers given to a nonblocking call are read on another thread: `name` stays referenced until it returns.
      const err = await rd.rd_kafka_query_watermark_offsets(rk, name, id, low, high, ADMIN_TIMEOUT_MS);
      if (err !== CONST.ERR_NO_ERROR) throw new Error(`watermarks of ${topic}/${id}: ${errorName(rd, err)}`);
      out.set(id, String(high[0]));
    }
    return out;
  }

  async committedOffsets(groupId: string, topic: string) {
    const rd = this.#rd;
    const meta = (await this.#metadata()).find((t) => t.name === topic);
    // A handle with the group's id reads its commits without joining the group; freed below.
    const rk = newHandle(
      this.#options.lib,
      CONST.RD_KAFKA_CONSUMER,
      { ...connectionProperties(this.#options.connection), "group.id": groupId },
      0,
    );
    const list = rd.rd_kafka_topic_partition_list_new(Math.max(meta?.partitions.length ?? 0, 1));
    try {
      for (const { id } of meta?.partitions ?? []) rd.rd_kafka_topic_partition_list_add(list, cstr(topic), id);
      const err = await rd.rd_kafka_committed(rk, list, ADMIN_TIMEOUT_MS);
      if (err !== CONST.ERR_NO_ERROR) throw new Error(`committed offsets of ${groupId}: ${errorName(rd, err)}`);
      return new Map(
        readPartitionList(list)
          .filter((p) => p.offset >= 0n)
          .map((p) => [p.partition, p.offset.toString()] as [number, string]),
      );
    } finally {
      rd.rd_kafka_topic_partition_list_destroy(list);
      await rd.rd_kafka_destroy(rk);
    }
  }

  async disconnect(): Promise<void> {
    const handles = [...this.#offsetHandles.values(), ...(this.#rk ? [this.#rk] : [])];
    this.#offsetHandles.clear();
    this.#rk = undefined;
    for (const rk of handles) await this.#rd.rd_kafka_destroy(rk);
  }
}
