// The example's own table, created by the store's migrations at start-up (after the store's tables).
import type { StoreMigration } from "../store/types.ts";

/** One row per order: the event's fields, its total, and the Kafka position it was read from. */
export const ordersMigration: StoreMigration = {
  id: "orders/1-table",
  postgres: `
    CREATE TABLE orders (
      order_id text PRIMARY KEY,
      customer_id text NOT NULL,
      currency text NOT NULL,
      lines jsonb NOT NULL,
      total_cents bigint NOT NULL,
      placed_at text NOT NULL,
      note text,
      kafka_topic text NOT NULL,
      kafka_partition integer NOT NULL,
      kafka_offset bigint NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now()
    )`,
  sqlite: `
    CREATE TABLE orders (
      order_id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      currency TEXT NOT NULL,
      lines TEXT NOT NULL,
      total_cents INTEGER NOT NULL,
      placed_at TEXT NOT NULL,
      note TEXT,
      kafka_topic TEXT NOT NULL,
      kafka_partition INTEGER NOT NULL,
      kafka_offset INTEGER NOT NULL,
      stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`,
};
