import type { EventOf, TopicContract } from "@kafka-pair/shared/contracts";
import type { Logger } from "@kafka-pair/shared/log";
import type { Headers } from "@kafka-pair/shared/transport";

/** Everything about a message except its value, for handlers that need it. */
export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Headers;
  timestamp: number;
  logger: Logger;
}

export interface Subscription<C extends TopicContract = TopicContract> {
  contract: C;
  groupId: string;
  /** Where a new group starts: the tutorial's health_group reads only new pings ("latest"). */
  fromBeginning: boolean;
  /** Resolves when the event is handled; only then is its offset committed. Throwing means retry. */
  handle(event: EventOf<C>, context: MessageContext): Promise<void>;
}

/** Typed from the contract: `event` is the valibot schema's output type. */
export function subscribe<C extends TopicContract>(subscription: Subscription<C>): Subscription<C> {
  return subscription;
}
