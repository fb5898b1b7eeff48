import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hardenNodeServer } from "./node-server.ts";
import { fakeEdge } from "./testing/fake-producer.ts";

// What only a real socket shows: Node's HTTP parser and Expect handling, in front of the app.
const edge = fakeEdge({ maxBodyBytes: 1024 });
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  server = serve({ fetch: edge.app.fetch, port: 0, hostname: "127.0.0.1" });
  hardenNodeServer(server as Server, { maxBodyBytes: 1024, logger: edge.deps.logger });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Writes raw bytes, returns everything the server sent until it closed (or the first response when `untilResponse`). */
function raw(request: string, options: { untilResponse?: boolean; hangUp?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (options.untilResponse && /\r\n\r\n/.test(received)) {
        const [head] = received.split("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(head ?? "")?.[1] ?? 0);
        if (received.length >= (head?.length ?? 0) + 4 + length) {
          socket.destroy();
          resolve(received);
        }
      }
    });
    socket.on("error", (err) =>
      (err as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve(received) : reject(err),
    );
    socket.on("close", () => resolve(received));
    socket.write(request, "latin1", () => {
      if (options.hangUp) socket.destroy();
    });
  });
}

function parse(response: string) {
  const [head = "", body = ""] = response.split("\r\n\r\n");
  const status = Number(head.split(" ")[1]);
  return { status, head, body: body ? JSON.parse(body) : undefined };
}

describe("Node's HTTP parser answers with the JSON error model", () => {
  it.each([
    [
      "a 100 KB header",
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`,
      431,
      "HEADERS_TOO_LARGE",
    ],
    [
      "broken chunk framing",
      "POST /topics/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      400,
      "INVALID_REQUEST",
    ],
    [
      "Content-Length with Transfer-Encoding",
      "POST /topics/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      400,
      "INVALID_REQUEST",
    ],
    [
      "two Content-Lengths",
      "POST /topics/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      400,
      "INVALID_REQUEST",
    ],
  ])("%s", async (_, request, status, code) => {
    const response = parse(await raw(request));
    expect(response.status).toBe(status);
    expect(response.head).toMatch(/content-type: application\/json/i);
    expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
  });
});

describe("Expect", () => {
  it("answers 413 to 100-continue with an over-limit Content-Length, before the body is sent", async () => {
    const response = await raw(
      "POST /topics/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n",
      { untilResponse: true },
    );
    expect(response).not.toMatch(/100 Continue/);
    expect(parse(response)).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
  });

  it("sends 100 Continue when the body fits", async () => {
    const response = await raw(
      "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
      { untilResponse: true },
    );
    expect(response).toMatch(/^HTTP\/1.1 100 Continue/);
  });

  it("answers 417 with the JSON error model to an expectation it does not know", async () => {
    const response = await raw("GET /health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", { untilResponse: true });
    expect(parse(response)).toMatchObject({ status: 417, body: { error: { code: "EXPECTATION_FAILED" } } });
  });
});

describe("a client that hangs up mid-body", () => {
  it("is counted as 499 and not logged as an error", async () => {
    await raw(
      'POST /topics/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"orderId":',
      {
        hangUp: true,
      },
    );
    const counted = async () =>
      (await edge.deps.metrics.registry.getSingleMetricAsString("producer_http_requests_total")).includes(
        'status="499"',
      );
    await expect.poll(counted, { timeout: 10_000 }).toBe(true);
    const metrics = await edge.deps.metrics.registry.getSingleMetricAsString("producer_http_requests_total");
    expect(metrics).not.toMatch(/status="500"/);
    expect(edge.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
