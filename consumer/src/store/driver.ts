// What the SQL store needs from a database client: one connection at a time, a transaction, a read.
// A leaf module: the SQLite and PostgreSQL drivers implement it, sql-store.ts uses it.
import type { StoreTransaction } from "./types.ts";

export interface StatementResult<Row> {
  rows: Row[];
  /** Rows an INSERT, UPDATE or DELETE changed. */
  count: number;
}

/** One connection inside an open transaction. Its errors are already store errors (database and statement named). */
export interface DriverConnection {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<StatementResult<Row>>;
  /** Several statements without parameters (a migration). */
  script(sql: string): Promise<void>;
}

export interface Driver {
  readonly dialect: StoreTransaction["dialect"];
  /** For logs and errors: `sqlite:data/consumer.db`, `postgres://app@db:5432/shop` (no password). */
  readonly name: string;
  /**
   * Runs `work` in one transaction holding the write side (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
   * pooled connection): committed if it resolves, rolled back if it throws, its error passed on as it is.
   */
  transaction<T>(work: (connection: DriverConnection) => Promise<T>): Promise<T>;
  /** One statement outside any transaction, seeing committed rows only. */
  read<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}
