/**
 * Every struct size and field offset the FFI adapter reads or writes by hand, for x86-64 /
 * aarch64 Linux (LP64). rdkafka.h declares them; the layout test (layout.test.ts) compiles a C
 * program against the header of the library in use and compares, so a librdkafka that moves a
 * field fails the test instead of corrupting memory.
 */
export const LAYOUT = {
  /** rd_kafka_vu_t: a vtype tag, then a union padded to 64 bytes. */
  vu: { size: 72, vtype: 0, u: 8, memPtr: 8, memSize: 16, headerName: 8, headerVal: 16, headerSize: 24 },
  /** rd_kafka_message_t. */
  message: {
    size: 72,
    err: 0,
    rkt: 8,
    partition: 16,
    payload: 24,
    len: 32,
    key: 40,
    keyLen: 48,
    offset: 56,
    private: 64,
  },
  /** rd_kafka_topic_partition_t. */
  topicPartition: { size: 64, topic: 0, partition: 8, offset: 16, metadata: 24, metadataSize: 32, opaque: 40, err: 48 },
  /** rd_kafka_topic_partition_list_t. */
  topicPartitionList: { size: 16, cnt: 0, size_: 4, elems: 8 },
  /** rd_kafka_metadata_t. */
  metadata: { size: 48, brokerCnt: 0, brokers: 8, topicCnt: 16, topics: 24 },
  /** rd_kafka_metadata_topic_t. */
  metadataTopic: { size: 32, topic: 0, partitionCnt: 8, partitions: 16, err: 24 },
  /** rd_kafka_metadata_partition_t. */
  metadataPartition: { size: 40, id: 0, err: 4, leader: 8, replicaCnt: 12, replicas: 16 },
} as const;

/** rd_kafka_vtype_t values (an enum in rdkafka.h). */
export const VTYPE = {
  END: 0,
  TOPIC: 1,
  RKT: 2,
  PARTITION: 3,
  VALUE: 4,
  KEY: 5,
  OPAQUE: 6,
  MSGFLAGS: 7,
  TIMESTAMP: 8,
  HEADER: 9,
  HEADERS: 10,
} as const;

/** #defines and enum values the adapter passes or compares. */
export const CONST = {
  RD_KAFKA_PRODUCER: 0,
  RD_KAFKA_CONSUMER: 1,
  RD_KAFKA_CONF_OK: 0,
  RD_KAFKA_MSG_F_COPY: 2,
  RD_KAFKA_PARTITION_UA: -1,
  EVENT_DR: 0x1,
  EVENT_FETCH: 0x2,
  EVENT_LOG: 0x4,
  EVENT_ERROR: 0x8,
  EVENT_REBALANCE: 0x10,
  EVENT_OFFSET_COMMIT: 0x20,
  EVENT_STATS: 0x40,
  EVENT_CREATETOPICS_RESULT: 100,
  EVENT_DELETETOPICS_RESULT: 101,
  ERR_NO_ERROR: 0,
  ERR__ASSIGN_PARTITIONS: -175,
  ERR__REVOKE_PARTITIONS: -174,
  ERR__QUEUE_FULL: -184,
  ERR__MSG_TIMED_OUT: -192,
  ERR__FATAL: -150,
  ERR__ALL_BROKERS_DOWN: -187,
  ERR__TIMED_OUT: -185,
  ERR__PARTITION_EOF: -191,
  ERR__NO_OFFSET: -168,
  ERR_MSG_SIZE_TOO_LARGE: 10,
  ERR_TOPIC_ALREADY_EXISTS: 36,
  ERR_OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  OFFSET_INVALID: -1001,
} as const;
