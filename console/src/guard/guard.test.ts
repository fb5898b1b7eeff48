import type { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { httpStatusOf } from "../http-status.ts";
import { canWrite, writeGuard } from "./guard.ts";
import { isLoopback } from "./loopback.ts";

function guarded(options: Parameters<typeof writeGuard>[0]) {
  const app = new Hono();
  app.post("/change", writeGuard(options), (c) => c.json({ changed: true }));
  app.onError((err, c) =>
    c.json({ code: (err as KafkaPairError).code }, httpStatusOf((err as KafkaPairError).code) as 400),
  );
  return app;
}

const post = (headers: Record<string, string>, url = "http://127.0.0.1:8989/change") =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });

describe("writeGuard", () => {
  it("lets a loopback console change the cluster from its own origin", async () => {
    const app = guarded({ loopback: true, apiToken: undefined });
    expect((await app.request(post({ origin: "http://127.0.0.1:8989" }))).status).toBe(200);
    expect((await app.request(post({}, "http://localhost:8989/change"))).status).toBe(200);
    expect((await app.request(post({ origin: "http://localhost:8989" }))).status).toBe(403);
  });

  it("accepts the token on a loopback console too, and refuses a wrong one", async () => {
    const app = guarded({ loopback: true, apiToken: "0123456789abcdef" });
    expect((await app.request(post({ authorization: "Bearer 0123456789abcdef" }))).status).toBe(200);
    expect(await (await app.request(post({ authorization: "Bearer 0123456789abcdeX" }))).json()).toEqual({
      code: "UNAUTHORIZED",
    });
    expect((await app.request(post({ authorization: "Basic abc" }))).status).toBe(401);
  });

  it("says whether any change is possible", () => {
    expect(canWrite({ loopback: true, apiToken: undefined })).toBe(true);
    expect(canWrite({ loopback: false, apiToken: "0123456789abcdef" })).toBe(true);
    expect(canWrite({ loopback: false, apiToken: undefined })).toBe(false);
  });
});

describe("isLoopback", () => {
  it("knows loopback listen addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(isLoopback(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.4", "example.com"]) expect(isLoopback(host), host).toBe(false);
  });
});
