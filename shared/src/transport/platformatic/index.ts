import { KafkaPairError } from "../../errors.ts";
import type { KafkaTransport } from "../types.ts";
import { PlatformaticAdmin } from "./admin.ts";
import type { PlatformaticOptions } from "./options.ts";
import { PlatformaticProducer } from "./producer.ts";

export type { PlatformaticOptions } from "./options.ts";

/**
 * The pure-JS producer for hosts where librdkafka cannot load (Deno without --allow-ffi or
 * without the library): @platformatic/kafka speaks the Kafka protocol over node:net, which Deno
 * provides. It offers no consumer: its group member joins with the eager `roundrobin` assignor
 * only (a group of librdkafka or Java members speaks cooperative-sticky or KIP-848, and the
 * coordinator refuses the mix), has no hook to commit before a revocation, and does not tell its
 * fetch position. Asking it for one is refused at once, with the reason.
 */
export function platformaticTransport(options: PlatformaticOptions): KafkaTransport {
  return {
    name: "platformatic",
    producer: () => new PlatformaticProducer(options),
    consumer: ({ groupId }) => {
      throw new KafkaPairError(
        "FEATURE_UNAVAILABLE",
        `TRANSPORT=platformatic cannot consume (group ${groupId}): @platformatic/kafka's consumer has no ` +
          "rebalance hook to commit before a revocation, no fetch position, and joins only with the eager " +
          "roundrobin assignor; consume with librdkafka (the default: the Node binding, or FFI on Deno)",
      );
    },
    admin: () => new PlatformaticAdmin(options),
  };
}
