import { healthTopic } from "@kafka-pair/shared/contracts";
import { subscribe } from "../handler.ts";

/** The tutorial's listener: log the message and its offset, then acknowledge. */
export const healthHandler = subscribe({
  contract: healthTopic,
  groupId: "health_group",
  fromBeginning: false,
  async handle(message, { offset, logger }) {
    logger.info({ message }, `Consumed message: ${message}, offset: ${offset}`);
  },
});
