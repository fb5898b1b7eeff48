import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONST, LAYOUT, VTYPE } from "./layout.ts";

const root = fileURLToPath(new URL("../../../..", import.meta.url));

/**
 * The rdkafka.h of each librdkafka the adapter may load: the Confluent package's (the default)
 * and, when installed, the system's (librdkafka-dev) for the fallback.
 */
const headers = [
  join(root, "node_modules/@confluentinc/kafka-javascript/deps/librdkafka/src/rdkafka.h"),
  "/usr/include/librdkafka/rdkafka.h",
  ...(process.env.LIBRDKAFKA_HEADER ? [process.env.LIBRDKAFKA_HEADER] : []),
].filter((path) => existsSync(path));

/** C expressions for everything layout.ts hard-codes, keyed as in layout.ts. */
const probes: Record<string, string> = {
  "vu.size": "sizeof(rd_kafka_vu_t)",
  "vu.vtype": "offsetof(rd_kafka_vu_t, vtype)",
  "vu.u": "offsetof(rd_kafka_vu_t, u)",
  "vu.memPtr": "offsetof(rd_kafka_vu_t, u.mem.ptr)",
  "vu.memSize": "offsetof(rd_kafka_vu_t, u.mem.size)",
  "vu.headerName": "offsetof(rd_kafka_vu_t, u.header.name)",
  "vu.headerVal": "offsetof(rd_kafka_vu_t, u.header.val)",
  "vu.headerSize": "offsetof(rd_kafka_vu_t, u.header.size)",
  "message.size": "sizeof(rd_kafka_message_t)",
  "message.err": "offsetof(rd_kafka_message_t, err)",
  "message.rkt": "offsetof(rd_kafka_message_t, rkt)",
  "message.partition": "offsetof(rd_kafka_message_t, partition)",
  "message.payload": "offsetof(rd_kafka_message_t, payload)",
  "message.len": "offsetof(rd_kafka_message_t, len)",
  "message.key": "offsetof(rd_kafka_message_t, key)",
  "message.keyLen": "offsetof(rd_kafka_message_t, key_len)",
  "message.offset": "offsetof(rd_kafka_message_t, offset)",
  "message.private": "offsetof(rd_kafka_message_t, _private)",
  "topicPartition.size": "sizeof(rd_kafka_topic_partition_t)",
  "topicPartition.topic": "offsetof(rd_kafka_topic_partition_t, topic)",
  "topicPartition.partition": "offsetof(rd_kafka_topic_partition_t, partition)",
  "topicPartition.offset": "offsetof(rd_kafka_topic_partition_t, offset)",
  "topicPartition.metadata": "offsetof(rd_kafka_topic_partition_t, metadata)",
  "topicPartition.metadataSize": "offsetof(rd_kafka_topic_partition_t, metadata_size)",
  "topicPartition.opaque": "offsetof(rd_kafka_topic_partition_t, opaque)",
  "topicPartition.err": "offsetof(rd_kafka_topic_partition_t, err)",
  "topicPartitionList.size": "sizeof(rd_kafka_topic_partition_list_t)",
  "topicPartitionList.cnt": "offsetof(rd_kafka_topic_partition_list_t, cnt)",
  "topicPartitionList.size_": "offsetof(rd_kafka_topic_partition_list_t, size)",
  "topicPartitionList.elems": "offsetof(rd_kafka_topic_partition_list_t, elems)",
  "metadata.size": "sizeof(rd_kafka_metadata_t)",
  "metadata.brokerCnt": "offsetof(rd_kafka_metadata_t, broker_cnt)",
  "metadata.brokers": "offsetof(rd_kafka_metadata_t, brokers)",
  "metadata.topicCnt": "offsetof(rd_kafka_metadata_t, topic_cnt)",
  "metadata.topics": "offsetof(rd_kafka_metadata_t, topics)",
  "metadataTopic.size": "sizeof(rd_kafka_metadata_topic_t)",
  "metadataTopic.topic": "offsetof(rd_kafka_metadata_topic_t, topic)",
  "metadataTopic.partitionCnt": "offsetof(rd_kafka_metadata_topic_t, partition_cnt)",
  "metadataTopic.partitions": "offsetof(rd_kafka_metadata_topic_t, partitions)",
  "metadataTopic.err": "offsetof(rd_kafka_metadata_topic_t, err)",
  "metadataPartition.size": "sizeof(rd_kafka_metadata_partition_t)",
  "metadataPartition.id": "offsetof(rd_kafka_metadata_partition_t, id)",
  "metadataPartition.err": "offsetof(rd_kafka_metadata_partition_t, err)",
  "metadataPartition.leader": "offsetof(rd_kafka_metadata_partition_t, leader)",
  "metadataPartition.replicaCnt": "offsetof(rd_kafka_metadata_partition_t, replica_cnt)",
  "metadataPartition.replicas": "offsetof(rd_kafka_metadata_partition_t, replicas)",
};

const constants: Record<string, string> = {
  ...Object.fromEntries(Object.keys(VTYPE).map((name) => [`VTYPE.${name}`, `RD_KAFKA_VTYPE_${name}`])),
  "CONST.RD_KAFKA_PRODUCER": "RD_KAFKA_PRODUCER",
  "CONST.RD_KAFKA_CONSUMER": "RD_KAFKA_CONSUMER",
  "CONST.RD_KAFKA_CONF_OK": "RD_KAFKA_CONF_OK",
  "CONST.RD_KAFKA_MSG_F_COPY": "RD_KAFKA_MSG_F_COPY",
  "CONST.RD_KAFKA_PARTITION_UA": "RD_KAFKA_PARTITION_UA",
  "CONST.OFFSET_INVALID": "RD_KAFKA_OFFSET_INVALID",
  ...Object.fromEntries(
    Object.keys(CONST)
      .filter((name) => name.startsWith("EVENT_"))
      .map((name) => [`CONST.${name}`, `RD_KAFKA_${name}`]),
  ),
  ...Object.fromEntries(
    Object.keys(CONST)
      .filter((name) => name.startsWith("ERR_"))
      .map((name) => [`CONST.${name}`, `RD_KAFKA_RESP_${name}`]),
  ),
};

/** Compiles and runs a C program printing `key=value` for every probe, against one header. */
function measure(header: string): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "rdkafka-layout-"));
  try {
    const entries = Object.entries({ ...probes, ...constants });
    const source = [
      "#include <stddef.h>",
      "#include <stdio.h>",
      `#include "${header}"`,
      "int main(void) {",
      ...entries.map(([key, expr]) => `  printf("%s=%lld\\n", "${key}", (long long)(${expr}));`),
      "  return 0;",
      "}",
    ].join("\n");
    writeFileSync(join(dir, "layout.c"), source);
    const compile = spawnSync("gcc", ["-I", dirname(header), "-o", join(dir, "layout"), join(dir, "layout.c")], {
      encoding: "utf8",
    });
    if (compile.status !== 0) throw new Error(`gcc failed: ${compile.stderr}`);
    const run = spawnSync(join(dir, "layout"), { encoding: "utf8" });
    return Object.fromEntries(
      run.stdout
        .trim()
        .split("\n")
        .map((line) => {
          const [key = "", value = ""] = line.split("=");
          return [key, Number(value)];
        }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flatten(prefix: string, object: Record<string, Record<string, number> | number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === "number") out[`${prefix}${key}`] = value;
    else Object.assign(out, flatten(`${prefix}${key}.`, value));
  }
  return out;
}

// Memory safety of the FFI adapter: every offset it reads or writes by hand is what the C
// compiler makes of rdkafka.h.
describe.runIf(headers.length > 0)("rdkafka-ffi struct layout", () => {
  it.each(headers)("matches %s", (header) => {
    const measured = measure(header);
    const expected = { ...flatten("", LAYOUT), ...flatten("VTYPE.", VTYPE), ...flatten("CONST.", CONST) };
    // Every hard-coded value has a probe (a constant added without one fails here).
    expect(Object.keys(expected).sort()).toEqual(Object.keys(measured).sort());
    expect(measured).toEqual(expected);
  });
});
