import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeOffsetStore, notesMigration } from "./conformance.ts";
import { openStore } from "./open.ts";
import { sqliteParameters, sqlitePath } from "./sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "kafka-pair-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const url = () => `sqlite:${join(dir, `store-${++n}.db`)}`;

describe("SQLite offset store", () => {
  describeOffsetStore(() => openStore(url(), { migrations: [notesMigration] }));

  it("creates the database file and its folder when absent", async () => {
    const path = join(dir, "nested", "deeper", "consumer.db");
    const store = await openStore(`sqlite:${path}`);
    await store.migrate();
    expect(existsSync(path)).toBe(true);
    expect(store.name).toBe(`sqlite:${path}`);
    await store.close();
  });

  it("keeps what was committed across a reopen of the file", async () => {
    const file = url();
    const first = await openStore(file);
    await first.migrate();
    await first.apply({ groupId: "g", topic: "t", partition: 0, expected: undefined, next: "42" }, async () => {});
    await first.close();
    const second = await openStore(file);
    await second.migrate();
    expect(await second.positions("g", [{ topic: "t", partition: 0 }])).toEqual([
      { topic: "t", partition: 0, offset: "42" },
    ]);
    await second.close();
  });

  it("refuses an in-memory database: positions must outlive the process", async () => {
    await expect(openStore("sqlite::memory:")).rejects.toMatchObject({ code: "STORE_FAILED" });
  });

  it("names the file and what failed when it cannot be opened", async () => {
    // A folder is not a database file.
    const err = await openStore(`sqlite:${dir}`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(String((err as Error).message)).toContain(`sqlite:${dir}: open failed`);
  });

  it("refuses a DATABASE_URL of another scheme", async () => {
    await expect(openStore("mysql://db/app")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});

describe("sqliteParameters", () => {
  it("spells $n as ?n outside quoted text and identifiers", () => {
    expect(sqliteParameters(`SELECT $1, $12, '$1', "$2", 'it''s $3' WHERE a = $2`)).toBe(
      `SELECT ?1, ?12, '$1', "$2", 'it''s $3' WHERE a = ?2`,
    );
  });
});

describe("sqlitePath", () => {
  it("reads relative and absolute paths", () => {
    expect(sqlitePath("sqlite:data/consumer.db")).toBe("data/consumer.db");
    expect(sqlitePath("sqlite:/var/lib/app.db")).toBe("/var/lib/app.db");
    expect(sqlitePath("sqlite:///var/lib/app.db")).toBe("/var/lib/app.db");
  });
});
