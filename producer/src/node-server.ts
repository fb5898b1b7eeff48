import type { Server, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Logger } from "@kafka-pair/shared/runtime";
import { httpStatusOf } from "./http-status.ts";

function jsonResponse(error: KafkaPairError): string {
  const body = JSON.stringify(error.toJSON());
  const status = httpStatusOf(error.code);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    "Content-Type: application/json\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    "Connection: close\r\n\r\n" +
    body
  );
}

function answer(res: ServerResponse, error: KafkaPairError): void {
  const body = JSON.stringify(error.toJSON());
  res.writeHead(httpStatusOf(error.code), {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    Connection: "close",
  });
  res.end(body);
}

/** What Node's HTTP parser rejected, in the edge's error model. */
function parserError(err: NodeJS.ErrnoException): KafkaPairError {
  if (err.code === "HPE_HEADER_OVERFLOW")
    return new KafkaPairError("HEADERS_TOO_LARGE", "request headers are too large");
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT" || err.code === "ERR_HTTP_HEADERS_TIMEOUT") {
    return new KafkaPairError("REQUEST_TIMEOUT", "the request did not arrive in time");
  }
  return new KafkaPairError("INVALID_REQUEST", `malformed HTTP request (${err.code ?? "parse error"})`);
}

/**
 * Node-only: the answers Node's HTTP server gives before the app runs, in the JSON error model.
 * Parser errors (oversized headers, broken chunk framing, Content-Length with Transfer-Encoding,
 * two Content-Lengths) get 400/408/431 with a JSON body instead of an empty one; `Expect:
 * 100-continue` with a Content-Length over the limit gets 413 before the client sends its body;
 * any other expectation gets 417.
 */
export function hardenNodeServer(server: Server, options: { maxBodyBytes: number; logger: Logger }): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // A reset or already-answered socket has no one to tell.
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const error = parserError(err);
    options.logger.info({ code: error.code, parser: err.code, status: httpStatusOf(error.code) }, error.message);
    socket.end(jsonResponse(error));
  });
  server.on("checkContinue", (req, res) => {
    const length = Number(req.headers["content-length"]);
    if (Number.isFinite(length) && length > options.maxBodyBytes) {
      answer(res, new KafkaPairError("PAYLOAD_TOO_LARGE", `request body is larger than ${options.maxBodyBytes} bytes`));
      return;
    }
    res.writeContinue();
    server.emit("request", req, res);
  });
  server.on("checkExpectation", (req, res) => {
    answer(res, new KafkaPairError("EXPECTATION_FAILED", `Expect: ${req.headers.expect} is not supported`));
  });
}
