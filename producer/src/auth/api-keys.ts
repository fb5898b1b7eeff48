import { KafkaPairError } from "@kafka-pair/shared/errors";
import { timingSafeEqual } from "hono/utils/buffer";
import type { Authenticator, Principal } from "./principal.ts";

export interface ApiKey {
  principal: string;
  key: string;
  topics: "*" | readonly string[];
}

const sha256 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");

/**
 * API keys (PRODUCER_API_KEYS, and PRODUCER_API_TOKEN as the key of principal `api-token` for
 * every topic). Looked up by their SHA-256: the comparison that matters happens on digests, so
 * the time it takes says nothing about the key.
 */
export async function apiKeyAuthenticator(keys: readonly ApiKey[]): Promise<Authenticator> {
  const byDigest = new Map<string, Principal>();
  for (const { principal, key, topics } of keys) {
    const digest = await sha256(key);
    if (byDigest.has(digest)) throw new KafkaPairError("CONFIG_INVALID", `API key of ${principal} is used twice`);
    byDigest.set(digest, {
      id: principal,
      type: "service_account",
      topics: topics === "*" ? "*" : new Set(topics),
    });
  }
  return async (credential) => byDigest.get(await sha256(credential));
}

/**
 * PRODUCER_API_KEYS: `principal=key:topic,topic;other=key:*`. Keys are 16+ characters of
 * `A-Za-z0-9._~+/-` (no `=`, `:` or `;`, so the list splits unambiguously).
 */
export function parseApiKeys(text: string): ApiKey[] {
  return text
    .split(";")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^([A-Za-z0-9._@-]{1,64})=([A-Za-z0-9._~+/-]{16,}):(\*|[a-z0-9._-]+(?:,[a-z0-9._-]+)*)$/.exec(
        entry,
      );
      if (!match) {
        throw new KafkaPairError(
          "CONFIG_INVALID",
          `PRODUCER_API_KEYS: "${entry.replace(/=.*:/, "=…:")}" is not principal=key:topic[,topic] (key: 16+ of A-Za-z0-9._~+/-; topics or *)`,
        );
      }
      const [, principal = "", key = "", topics = ""] = match;
      return { principal, key, topics: topics === "*" ? "*" : topics.split(",") };
    });
}

/** PRODUCER_API_TOKEN alone: one shared secret, principal `api-token`, every topic (the simplest set-up). */
export function singleTokenAuthenticator(token: string): Authenticator {
  const principal: Principal = { id: "api-token", type: "service_account", topics: "*" };
  return async (credential) => ((await timingSafeEqual(credential, token)) ? principal : undefined);
}
