// The embedded default: SQLite through the runtime's built-in module (`node:sqlite`, which Deno
// provides too), so `npm start` needs no database server. One write connection serialized by an
// in-process queue (SQLite has one writer at a time), one read connection that sees committed rows
// only (WAL mode lets it read while a transaction is open).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Driver, DriverConnection, StatementResult } from "./driver.ts";
import { type Failure, statementOf, storeError } from "./errors.ts";

// How long a statement waits for another process's write lock before SQLITE_BUSY.
const BUSY_TIMEOUT_MS = 5_000;
const CACHED_STATEMENTS = 256;

/** `sqlite:data/consumer.db` (relative to the working directory), `sqlite:/var/lib/app.db`, `sqlite:///var/lib/app.db`. */
export function sqlitePath(url: string): string {
  const path = url.replace(/^sqlite:(\/\/(?=\/))?/, "");
  return path;
}

/** SQLite spells PostgreSQL's `$1` as `?1`; quoted text and identifiers are left alone. */
export function sqliteParameters(sql: string): string {
  return sql.replace(/('(?:[^']|'')*'|"(?:[^"]|"")*")|\$(\d+)/g, (match, quoted, index) =>
    quoted === undefined ? `?${index}` : match,
  );
}

type SqliteValue = null | number | bigint | string | Uint8Array;

/** The closest SQLite value: booleans as 0/1, dates as ISO text, objects and arrays as JSON text. */
function sqliteValue(value: unknown): SqliteValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function failureOf(err: unknown): Failure {
  const message = err instanceof Error ? err.message : String(err);
  const errcode = (err as { errcode?: number }).errcode;
  // BUSY, LOCKED, IOERR, FULL, CANTOPEN: another process holds the lock, or the disk is in trouble.
  if (errcode !== undefined) return [5, 6, 10, 13, 14].includes(errcode & 0xff) ? "unavailable" : "failed";
  return /database is locked|database table is locked|busy|disk I\/O|database or disk is full|unable to open/i.test(
    message,
  )
    ? "unavailable"
    : "failed";
}

class SqliteConnection implements DriverConnection {
  private readonly statements = new Map<string, StatementSync>();

  constructor(
    private readonly database: string,
    readonly db: DatabaseSync,
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<StatementResult<Row>> {
    return this.run(sql, params);
  }

  run<Row>(sql: string, params: readonly unknown[]): StatementResult<Row> {
    try {
      const statement = this.prepare(sql);
      const values = params.map(sqliteValue);
      if (statement.columns().length > 0) return { rows: statement.all(...values) as Row[], count: 0 };
      const { changes } = statement.run(...values);
      return { rows: [], count: Number(changes) };
    } catch (err) {
      throw storeError(this.database, `statement (${statementOf(sql)})`, err, failureOf(err));
    }
  }

  async script(sql: string): Promise<void> {
    this.exec(sql, `script (${statementOf(sql)})`);
  }

  exec(sql: string, what: string): void {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw storeError(this.database, what, err, failureOf(err));
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }

  private prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sqliteParameters(sql));
      if (this.statements.size >= CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

class SqliteDriver implements Driver {
  readonly dialect = "sqlite";
  // Transactions run one after another: every one shares the single write connection.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly writer: SqliteConnection,
    private readonly reader: SqliteConnection,
  ) {}

  transaction<T>(work: (connection: DriverConnection) => Promise<T>): Promise<T> {
    const run = async () => {
      this.writer.exec("BEGIN IMMEDIATE", "begin transaction");
      try {
        const result = await work(this.writer);
        this.writer.exec("COMMIT", "commit");
        return result;
      } catch (err) {
        if (this.writer.db.isTransaction) this.writer.exec("ROLLBACK", "rollback");
        throw err;
      }
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => undefined);
    return done;
  }

  async read<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.reader.run<Row>(sql, params).rows;
  }

  async close(): Promise<void> {
    await this.queue;
    this.reader.close();
    this.writer.close();
  }
}

/** Opens (creating it and its folder if absent) the SQLite database `url` names. */
export function openSqlite(url: string): Driver {
  const path = sqlitePath(url);
  const name = `sqlite:${path}`;
  if (path === "" || path === ":memory:") {
    throw storeError(
      name,
      "open",
      new Error("an in-memory database cannot hold positions: give a file path"),
      "failed",
    );
  }
  const open = (what: string) => {
    try {
      return new SqliteConnection(name, new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS }));
    } catch (err) {
      throw storeError(name, what, err, failureOf(err));
    }
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw storeError(name, `creating the folder ${dirname(path)}`, err, "failed");
  }
  const writer = open("open");
  // WAL: readers see the last commit while a write transaction is open. FULL: a commit is on disk
  // before it returns, so a position survives a power cut as well as a kill -9.
  writer.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "setting pragmas");
  const reader = open("open (read connection)");
  reader.exec("PRAGMA query_only = ON", "setting pragmas");
  return new SqliteDriver(name, writer, reader);
}
