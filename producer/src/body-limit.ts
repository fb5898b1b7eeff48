import { KafkaPairError } from "@kafka-pair/shared/errors";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";

/**
 * Hono's bodyLimit, minus its cost on the common path. Hono's reads `c.req.raw.body` first, and on
 * @hono/node-server that turns the lazy request into a full web Request (stream, AbortSignal):
 * about a third of a small POST's CPU. A declared Content-Length is checked from the header alone
 * (Node's parser never delivers more bytes than it declares); chunked bodies still get Hono's
 * streaming count.
 */
export function limitBody(maxBytes: number) {
  const tooLarge = () => {
    throw new KafkaPairError("PAYLOAD_TOO_LARGE", `request body is larger than ${maxBytes} bytes`);
  };
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return createMiddleware((c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (Number(length) > maxBytes) tooLarge();
      return next();
    }
    return streaming(c, next);
  });
}
