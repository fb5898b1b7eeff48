import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { useNamespace } from "../helpers/kafka.ts";
import { readRecords } from "../helpers/records.ts";
import { atFileEnd } from "../helpers/teardown.ts";
import { startWorker } from "../helpers/workers.ts";

const ISSUER = "https://issuer.kafka-pair.test";
const AUDIENCE = "kafka-pair-producer";
const API_KEY = "billing-key-0123456789abcdef";

/** The issuer's JWKS on a local HTTP endpoint, as an identity provider publishes it. */
async function useJwksEndpoint(jwks: unknown): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  atFileEnd(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
}

// A real producer process: JWTs verified against a JWKS it fetches over HTTP, and API keys.
describe("who may write what", () => {
  const ns = useNamespace();

  it("tokens and keys for their topics are stored with the principal; expired, forged and other-topic tokens are refused", {
    timeout: 120_000,
  }, async () => {
    const issuer = await generateKeyPair("RS256");
    const stranger = await generateKeyPair("RS256");
    const jwksUrl = await useJwksEndpoint({
      keys: [{ ...(await exportJWK(issuer.publicKey)), kid: "2026-12", alg: "RS256" }],
    });
    const producer = await startWorker("producer", {
      KAFKA_NAMESPACE: ns.prefix,
      PRODUCER_JWKS_URL: jwksUrl,
      PRODUCER_JWT_ISSUER: ISSUER,
      PRODUCER_JWT_AUDIENCE: AUDIENCE,
      PRODUCER_API_KEYS: `billing=${API_KEY}:orders`,
      ACCESS_LOG: "all",
    });
    const sign = (claims: JWTPayload, key = issuer.privateKey, expires: string | number = "5m") =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "2026-12" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(expires)
        .sign(key);
    const send = async (credential: string) =>
      postJson(producer.url, "/topics/orders", anOrder(), { authorization: `Bearer ${credential}` });

    expect((await send(await sign({ sub: "checkout-service", topics: ["orders", "health"] }))).status).toBe(201);
    expect((await send(API_KEY)).status).toBe(201);

    const expired = await send(
      await sign(
        { sub: "checkout-service", topics: ["orders"] },
        issuer.privateKey,
        Math.floor(Date.now() / 1000) - 60,
      ),
    );
    expect(expired.status).toBe(401);
    expect((await readJson(expired)).error).toMatchObject({ code: "UNAUTHORIZED", message: "token expired" });
    const forged = await send(await sign({ sub: "checkout-service", topics: ["orders"] }, stranger.privateKey));
    expect(forged.status).toBe(401);
    expect((await readJson(forged)).error.message).toBe("token signature does not verify");
    const otherTopic = await send(await sign({ sub: "monitoring", topics: ["health"] }));
    expect(otherTopic.status).toBe(403);
    expect((await readJson(otherTopic)).error).toMatchObject({
      code: "FORBIDDEN",
      message: "monitoring may not produce to topic orders",
    });
    expect(
      (await fetch(`${producer.url}/kafka/health`, { headers: { authorization: `Bearer ${API_KEY}` } })).status,
    ).toBe(403);

    // Only the two accepted requests reached Kafka, each with its principal.
    const records = await readRecords(ns.topic("orders"), 2);
    expect(records.map((r) => [r.headers.ce_authtype, r.headers.ce_authid]).sort()).toEqual([
      ["service_account", "billing"],
      ["user", "checkout-service"],
    ]);
    const logged = producer.logs.filter((l) => l.msg === "request").map((l) => [l.status, l.principal]);
    expect(logged).toEqual(
      expect.arrayContaining([
        [201, "checkout-service"],
        [201, "billing"],
        [403, "monitoring"],
        [401, undefined],
      ]),
    );
  });
});
