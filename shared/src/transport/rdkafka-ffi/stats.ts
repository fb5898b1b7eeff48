// Pure helpers for the FFI adapter's producer (no Deno globals, so Node tests import them).
import type { KafkaPairError } from "../../errors.ts";
import { toDeliveryError as fromCode } from "../librdkafka.ts";

export { parseStats, writableCluster } from "../librdkafka.ts";

/** A failed produce or delivery report as the error the HTTP edge answers with (as on Node). */
export function toDeliveryError(code: number, message: string): KafkaPairError {
  return fromCode(code, message, { code, message });
}
