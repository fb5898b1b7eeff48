// The store's own tables, in both dialects. Offsets are 64-bit integers in the database (compared
// and ordered as numbers) and strings in TypeScript, as Kafka's offsets are everywhere else here.
import type { StoreMigration } from "./types.ts";

/** Where the applied migrations are recorded; created before any migration runs. */
export const migrationsTable = {
  postgres: `CREATE TABLE IF NOT EXISTS kafka_pair_migrations (
    id text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  sqlite: `CREATE TABLE IF NOT EXISTS kafka_pair_migrations (
    id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`,
};

export const storeMigrations: readonly StoreMigration[] = [
  {
    id: "kafka-pair/1-positions-outbox",
    postgres: `
      CREATE TABLE kafka_pair_positions (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, partition)
      );
      CREATE TABLE kafka_pair_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        source_offset bigint NOT NULL,
        target_topic text NOT NULL,
        record_key text,
        record_value bytea NOT NULL,
        headers text,
        record_timestamp bigint
      );
      CREATE INDEX kafka_pair_outbox_by_partition ON kafka_pair_outbox (group_id, topic, partition, source_offset, id);`,
    sqlite: `
      CREATE TABLE kafka_pair_positions (
        group_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        next_offset INTEGER NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (group_id, topic, partition)
      );
      CREATE TABLE kafka_pair_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        source_offset INTEGER NOT NULL,
        target_topic TEXT NOT NULL,
        record_key TEXT,
        record_value BLOB NOT NULL,
        headers TEXT,
        record_timestamp INTEGER
      );
      CREATE INDEX kafka_pair_outbox_by_partition ON kafka_pair_outbox (group_id, topic, partition, source_offset, id);`,
  },
];
