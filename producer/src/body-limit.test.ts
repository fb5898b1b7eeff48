import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { limitBody } from "./body-limit.ts";
import { httpStatusOf } from "./http-status.ts";

function appWithLimit(maxBytes: number) {
  const app = new Hono();
  app.post("/", limitBody(maxBytes), async (c) => c.json({ length: (await c.req.text()).length }));
  app.onError((err, c) =>
    err instanceof KafkaPairError
      ? c.json(err.toJSON(), httpStatusOf(err.code) as 413)
      : c.json({ unexpected: String(err) }, 500),
  );
  return app;
}

/** A body stream that notes whether anyone read it. */
function watchedBody(text: string) {
  const state = { pulled: false };
  // highWaterMark 0: the stream pulls only when read, not to fill a queue ahead.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulled = true;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const post = (app: Hono, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  app.request("/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("limitBody", () => {
  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    const { stream, state } = watchedBody("x".repeat(20));
    const res = await post(appWithLimit(10), stream, { "content-length": "20" });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(state.pulled).toBe(false);
  });

  it("passes a declared Content-Length within the limit to the handler", async () => {
    const res = await post(appWithLimit(10), "x".repeat(10), { "content-length": "10" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ length: 10 });
  });

  it("counts a body without Content-Length as it streams", async () => {
    const over = await post(appWithLimit(10), watchedBody("x".repeat(11)).stream);
    expect(over.status).toBe(413);
    const within = await post(appWithLimit(10), watchedBody("x".repeat(9)).stream);
    expect(await within.json()).toEqual({ length: 9 });
  });
});
