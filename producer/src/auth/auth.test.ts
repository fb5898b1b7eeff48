import { contracts } from "@kafka-pair/shared/contracts";
import { createLogger, namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { anOrder, memoryTransport } from "@kafka-pair/shared/testing";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createProducerApp } from "../app.ts";
import { MemoryIdempotencyStore } from "../idempotency.ts";
import { createProducerMetrics } from "../metrics.ts";
import { type Authenticator, anyOf, apiKeyAuthenticator, jwtAuthenticator, parseApiKeys } from "./index.ts";

// Who may write what, through app.request() on the in-memory cluster: 401 and 403 in the JSON
// error model, and the principal on every stored record (CloudEvents Auth Context: ce_authid).

const ISSUER = "https://issuer.test";
const AUDIENCE = "kafka-pair";
const issuerKeys = await generateKeyPair("ES256");
const strangerKeys = await generateKeyPair("ES256");
type CryptoKeyLike = (typeof issuerKeys)["privateKey"];
const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(issuerKeys.publicKey)), kid: "k1", alg: "ES256" }] });

async function token(claims: JWTPayload, options: { key?: CryptoKeyLike; expires?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? "5m")
    .sign(options.key ?? issuerKeys.privateKey);
}

async function edge(auth: Authenticator) {
  const transport = memoryTransport();
  const logger = createLogger("test", "silent");
  await provisionTopics(transport, contracts, namespace(""), logger);
  const producer = transport.producer();
  await producer.connect();
  const app = createProducerApp({
    producer,
    logger,
    namespace: namespace(""),
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 10, windowMs: 60_000 }),
    apiToken: undefined,
    auth,
    eventSource: "/test",
    maxBodyBytes: 64 * 1024,
    isDraining: () => false,
  });
  const post = (credential: string | undefined, headers: Record<string, string> = {}) =>
    app.request("/topics/orders", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
        ...headers,
      },
      body: JSON.stringify(anOrder(1)),
    });
  const ping = (credential: string) =>
    app.request("/kafka/health", { headers: { authorization: `Bearer ${credential}` } });
  const headersOf = (topic: string) =>
    transport.cluster
      .log(topic)
      .partitions.flatMap((entries) => entries.map((e) => e.headers as Record<string, unknown>));
  return { post, ping, headersOf };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on, not trusted
const error = async (res: Response): Promise<any> => ((await res.json()) as { error: unknown }).error;
const text = (value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString() : String(value));

const ORDERS_KEY = "orders-only-key-0123456789";
const ALL_KEY = "every-topic-key-0123456789";

describe("API keys", () => {
  const keys = () => apiKeyAuthenticator(parseApiKeys(`billing=${ORDERS_KEY}:orders; ops=${ALL_KEY}:*`));

  it("201 for a topic the key may write, with its principal on the record; 403 for another topic", async () => {
    const { post, ping, headersOf } = await edge(await keys());
    expect((await post(ORDERS_KEY)).status).toBe(201);
    expect(headersOf("orders").map((h) => [text(h.ce_authtype), text(h.ce_authid)])).toEqual([
      ["service_account", "billing"],
    ]);
    const forbidden = await ping(ORDERS_KEY);
    expect(forbidden.status).toBe(403);
    expect(await error(forbidden)).toMatchObject({
      code: "FORBIDDEN",
      message: "billing may not produce to topic health",
    });
    expect((await ping(ALL_KEY)).status).toBe(200);
  });

  it("401 with WWW-Authenticate for a missing or unknown key, and nothing stored", async () => {
    const { post, headersOf } = await edge(await keys());
    const missing = await post(undefined);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="kafka-pair"');
    const wrong = await post("not-a-known-key-0123456789");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await error(wrong)).toMatchObject({ code: "UNAUTHORIZED", retriable: false });
    expect(headersOf("orders")).toEqual([]);
  });

  it("a client cannot write in another's name: its own ce-authid is replaced", async () => {
    const { post, headersOf } = await edge(await keys());
    const res = await post(ORDERS_KEY, {
      "ce-specversion": "1.0",
      "ce-id": "e-1",
      "ce-source": "/client",
      "ce-type": "dev.kafka-pair.order.placed",
      "ce-authid": "ops",
      "ce-authtype": "system",
    });
    expect(res.status).toBe(201);
    expect(text(headersOf("orders")[0]?.ce_authid)).toBe("billing");
    expect(text(headersOf("orders")[0]?.ce_authtype)).toBe("service_account");
  });

  it("refuses a malformed PRODUCER_API_KEYS entry without echoing the key", () => {
    expect(() => parseApiKeys("billing=short:orders")).toThrow(/billing=…:orders/);
    expect(() => parseApiKeys(`billing=${ORDERS_KEY}`)).toThrow(/principal=key:topic/);
  });
});

describe("JWTs verified against the issuer's JWKS", () => {
  const jwt = () =>
    edge(anyOf(jwtAuthenticator({ keys: jwks, issuer: ISSUER, audience: AUDIENCE, topicsClaim: "topics" })));

  it("201 with the subject as principal for a topic in the token's claim", async () => {
    const { post, headersOf } = await jwt();
    const res = await post(await token({ sub: "alice", topics: ["orders"] }));
    expect(res.status).toBe(201);
    expect(text(headersOf("orders")[0]?.ce_authid)).toBe("alice");
    expect(text(headersOf("orders")[0]?.ce_authtype)).toBe("user");
  });

  it("403 for a token whose topics do not include this one", async () => {
    const { post } = await jwt();
    const res = await post(await token({ sub: "alice", topics: "health" }));
    expect(res.status).toBe(403);
    expect((await error(res)).code).toBe("FORBIDDEN");
  });

  it("401 for an expired token, a token signed by another key, another audience, no subject", async () => {
    const { post } = await jwt();
    const expired = await post(
      await token({ sub: "alice", topics: ["orders"] }, { expires: Math.floor(Date.now() / 1000) - 120 }),
    );
    expect([expired.status, (await error(expired)).message]).toEqual([401, "token expired"]);
    const forged = await post(await token({ sub: "alice", topics: ["orders"] }, { key: strangerKeys.privateKey }));
    expect([forged.status, (await error(forged)).message]).toEqual([401, "token signature does not verify"]);
    const audience = await post(
      await new SignJWT({ sub: "alice", topics: ["orders"] })
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setIssuer(ISSUER)
        .setAudience("someone-else")
        .setExpirationTime("5m")
        .sign(issuerKeys.privateKey),
    );
    expect([audience.status, (await error(audience)).message]).toEqual([
      401,
      "token claim aud is not valid: check_failed",
    ]);
    const anonymous = await post(await token({ topics: ["orders"] }));
    expect([anonymous.status, (await error(anonymous)).message]).toEqual([401, "token has no subject (sub)"]);
  });

  it("an HS256 token made with the public key as secret is refused (asymmetric algorithms only)", async () => {
    const { post } = await jwt();
    const secret = new TextEncoder().encode(JSON.stringify(await exportJWK(issuerKeys.publicKey)));
    const confused = await new SignJWT({ sub: "mallory", topics: ["orders"] })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(secret);
    expect((await post(confused)).status).toBe(401);
  });
});
