import { cloudEventFrom, decodeValue, traceContextFrom } from "@kafka-pair/shared/contracts";
import type { Logger } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import type { Semaphore } from "../concurrency.ts";
import { BatchFailure, type MessageContext, type Subscription } from "../handler.ts";
import { originOf } from "../policies/retry-topic.ts";
import type { Instruments } from "./instruments.ts";

/** One event made ready for its handler: decoded (or why it could not be), with its bound logger. */
export interface Prepared {
  message: ConsumedMessage;
  /** Where the event was first read: the message itself, or what a retry-topic record names. */
  origin: { topic: string; partition: number; offset: string };
  /** Set when the record breaks the contract: it can never succeed. */
  invalid?: unknown;
  event?: unknown;
  log: Logger;
  context: Omit<MessageContext, "attempt" | "signal" | "emit" | "db">;
}

/** What the delivery strategy gives one handler call: `emit`, and `db` for a `store` subscription. */
export type AttemptExtras = Pick<MessageContext, "emit" | "db">;

/**
 * Runs one handler call the delivery strategy's way (inside a database transaction, with its
 * `emit`); resolves only once the attempt's effects are where they must be.
 */
export type RunAttempt = (prepared: Prepared, call: (extras: AttemptExtras) => Promise<void>) => Promise<void>;

const noDelivery: RunAttempt = (_prepared, call) =>
  call({
    emit: () => Promise.reject(new Error("this runtime was built without a delivery strategy: nothing to emit with")),
  });

export type AttemptResult = { ok: true } | { ok: false; error: unknown };

/**
 * Calls the user's handler: decodes the record against the contract, builds the context, times
 * the call and counts the outcome. Knows nothing of retries, ordering or commits.
 */
export class HandlerInvoker {
  readonly #subscription: Subscription;
  readonly #logger: Logger;
  readonly #instruments: Instruments;
  readonly #slots: Semaphore;
  readonly #run: RunAttempt;

  /** `slots` bounds the subscription's handler calls at once (`maxInFlight`); backoffs hold none. */
  constructor(
    subscription: Subscription,
    logger: Logger,
    instruments: Instruments,
    slots: Semaphore,
    run: RunAttempt = noDelivery,
  ) {
    this.#subscription = subscription;
    this.#logger = logger;
    this.#instruments = instruments;
    this.#slots = slots;
    this.#run = run;
  }

  prepare(message: ConsumedMessage): Prepared {
    const origin = originOf(message);
    const cloudEvent = cloudEventFrom(message.headers);
    const trace = traceContextFrom(message.headers);
    // One child logger per message, not two: pino serialises a child's bindings when it is made.
    const log = this.#logger.child({
      partition: origin.partition,
      offset: origin.offset,
      eventId: cloudEvent?.id,
      traceId: trace?.traceId,
    });
    const context = {
      topic: this.#subscription.contract.name,
      partition: origin.partition,
      offset: origin.offset,
      key: message.key,
      headers: message.headers,
      timestamp: message.timestamp,
      cloudEvent,
      trace,
      logger: log,
    };
    try {
      return { message, origin, event: decodeValue(this.#subscription.contract, message.value), log, context };
    } catch (invalid) {
      this.#instruments.invalid();
      return { message, origin, invalid, log, context };
    }
  }

  /** One handler call; never throws. */
  attempt(prepared: Prepared, attempt: number, signal: AbortSignal): Promise<AttemptResult> {
    return this.#slots.run(() => this.#call(prepared, attempt, signal));
  }

  async #call(prepared: Prepared, attempt: number, signal: AbortSignal): Promise<AttemptResult> {
    const started = performance.now();
    const subscription = this.#subscription;
    try {
      if (subscription.handleBatch) {
        // A batch handler retries an event alone: a batch of one.
        const failed = await this.#batch([prepared], attempt, signal);
        if (failed.size > 0) throw failed.get(0);
      } else {
        await this.#run(prepared, (extras) =>
          subscription.handle(prepared.event as never, { ...prepared.context, attempt, signal, ...extras }),
        );
      }
      this.#instruments.succeeded((performance.now() - started) / 1000);
      // Per message, so debug: at info it cost a synchronous stdout write per event (the handler logs its own line).
      prepared.log.debug({ attempt }, "processed");
      return { ok: true };
    } catch (error) {
      this.#instruments.failed((performance.now() - started) / 1000);
      return { ok: false, error };
    }
  }

  /**
   * One `handleBatch` call for events of one partition (valid ones, in offset order); resolves
   * with the failed events' errors by index (none: all handled). Never throws.
   */
  attemptBatch(batch: Prepared[], signal: AbortSignal): Promise<Map<number, unknown>> {
    return this.#slots.run(async () => {
      const started = performance.now();
      const failed = await this.#batch(batch, 1, signal).catch((error: unknown) => {
        return new Map(batch.map((_, index) => [index, error]));
      });
      const seconds = (performance.now() - started) / 1000;
      if (failed.size < batch.length) this.#instruments.succeeded(seconds, batch.length - failed.size);
      for (let i = 0; i < failed.size; i++) this.#instruments.failed(seconds);
      return failed;
    });
  }

  async #batch(batch: Prepared[], attempt: number, signal: AbortSignal): Promise<Map<number, unknown>> {
    const first = batch[0];
    const handleBatch = this.#subscription.handleBatch;
    if (!first || !handleBatch) return new Map();
    const messages = batch.map((p) => p.context);
    try {
      await handleBatch(
        batch.map((p) => p.event as never),
        {
          topic: first.context.topic,
          partition: first.context.partition,
          messages,
          attempt,
          signal,
          logger: first.log,
        },
      );
      return new Map();
    } catch (error) {
      if (!(error instanceof BatchFailure)) return new Map(batch.map((_, index) => [index, error]));
      const failed = new Map<number, unknown>();
      for (const { index, error: cause } of error.failed) {
        if (Number.isInteger(index) && index >= 0 && index < batch.length) failed.set(index, cause);
      }
      return failed;
    }
  }
}
