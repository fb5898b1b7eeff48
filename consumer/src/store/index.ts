// The consumer's database side: the offset store (positions, outbox) and the factory choosing it.
export { type OpenStoreOptions, openStore } from "./open.ts";
export type * from "./types.ts";
