// Picks the store DATABASE_URL names: PostgreSQL for postgres:// and postgresql://, SQLite otherwise.
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { SqlOffsetStore } from "./sql-store.ts";
import { openSqlite } from "./sqlite.ts";
import type { OffsetStore, StoreMigration } from "./types.ts";

export interface OpenStoreOptions {
  /** The application's migrations, applied by `migrate()` after the store's own (the example's `orders` table). */
  migrations?: readonly StoreMigration[];
}

/**
 * Opens the store `url` names (`sqlite:data/consumer.db`, `postgres://user:pass@host:5432/db`); `migrate()`
 * then creates its tables. A PostgreSQL pool connects lazily: an unreachable server shows up in `migrate()`.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<OffsetStore> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Loaded only when chosen: a SQLite deployment never loads the PostgreSQL client.
    const { openPostgres } = await import("./postgres.ts");
    return new SqlOffsetStore(openPostgres(url), options.migrations);
  }
  if (url.startsWith("sqlite:")) return new SqlOffsetStore(openSqlite(url), options.migrations);
  throw new KafkaPairError("CONFIG_INVALID", "DATABASE_URL must start with sqlite: or postgres://");
}
