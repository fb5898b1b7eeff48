// What librdkafka reports through the Node binding, mapped to the toolkit's terms (the shared
// reading is in ../librdkafka.ts). No client import at run time: the unit project tests it
// without loading the native addon.
import type { LibrdKafkaError } from "@confluentinc/kafka-javascript";
import type { KafkaPairError } from "../../errors.ts";
import { toDeliveryError as fromCode } from "../librdkafka.ts";

export {
  ERR_ALL_BROKERS_DOWN,
  ERR_FATAL,
  ERR_MSG_SIZE_TOO_LARGE,
  ERR_MSG_TIMED_OUT,
  ERR_QUEUE_FULL,
  parseStats,
  writableCluster,
} from "../librdkafka.ts";

/** Maps a failed delivery report or produce() throw to the error the HTTP edge answers with. */
export function toDeliveryError(err: LibrdKafkaError): KafkaPairError {
  return fromCode(err.code, err.message, err);
}
