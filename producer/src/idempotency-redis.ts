import type { Logger } from "@kafka-pair/shared/runtime";
import { createClient } from "@redis/client";
import type { KeyValue } from "./idempotency-shared.ts";

// Deletes a claim only while it is still ours: after its lease it may belong to another instance.
const DELETE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A Valkey or Redis server (`redis://`, `rediss://` with TLS) through the official client. Commands
 * fail at once while the connection is down (no offline queue: a request must not wait for a
 * store that may not come back) and after `commandTimeoutMs`; the client reconnects by itself.
 */
export function redisKeyValue(url: string, options: { logger: Logger; commandTimeoutMs: number }): KeyValue {
  const { logger, commandTimeoutMs } = options;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
  });
  let down = false;
  client.on("error", (err: Error) => {
    // Logged once per outage, not once per reconnect attempt.
    if (!down) logger.error({ err: { message: err.message } }, "Idempotency-Key store unreachable");
    down = true;
  });
  client.on("ready", () => {
    if (down) logger.info("Idempotency-Key store reachable again");
    down = false;
  });
  client.connect().catch(() => {
    // Reported by the error listener; the client keeps reconnecting.
  });
  const send = <T>(args: string[]) => client.sendCommand<T>(args, { timeout: commandTimeoutMs });
  return {
    async setIfAbsent(key, value, ttlMs) {
      return (await send<string | null>(["SET", key, value, "NX", "PX", String(ttlMs)])) === "OK";
    },
    async set(key, value, ttlMs) {
      await send(["SET", key, value, "PX", String(ttlMs)]);
    },
    get: (key) => send<string | null>(["GET", key]),
    async deleteIf(key, value) {
      await send(["EVAL", DELETE_IF, "1", key, value]);
    },
    async close() {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}
