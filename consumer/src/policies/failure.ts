import type { TopicContract } from "@kafka-pair/shared/contracts";
import { deadLetterTopicOf } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { TopicPartition } from "@kafka-pair/shared/transport";
import { backoffDelay } from "../concurrency.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Instruments } from "../runtime/instruments.ts";
import type { AttemptResult, HandlerInvoker, Prepared } from "../runtime/invoker.ts";
import { Abandoned, type DeadLetterPublisher, type RecordWriter } from "./dead-letters.ts";
import type { FailurePolicyOptions } from "./options.ts";
import { asOriginal, attemptsMade, dueAt, retryRecord } from "./retry-topic.ts";

export type { FailurePolicyOptions };

export type FailurePolicy = Required<FailurePolicyOptions>;

export interface FailureDefaults {
  maxRetries: number;
  retryBackoffMs: number;
  retryMaxBackoffMs: number;
}

/** The policy with its defaults filled in; refuses combinations that could drop or contradict. */
export function resolveFailurePolicy(
  contract: TopicContract,
  options: FailurePolicyOptions | undefined,
  defaults: FailureDefaults,
): FailurePolicy {
  const hasDeadLetters = deadLetterTopicOf(contract) !== undefined;
  const policy: FailurePolicy = {
    retries: options?.retries ?? defaults.maxRetries,
    backoffMs: options?.backoffMs ?? defaults.retryBackoffMs,
    maxBackoffMs: options?.maxBackoffMs ?? defaults.retryMaxBackoffMs,
    retryMode: options?.retryMode ?? "blocking",
    whenExhausted: options?.whenExhausted ?? (hasDeadLetters ? "dead-letter" : "stop"),
  };
  const refuse = (why: string) => {
    throw new KafkaPairError("CONFIG_INVALID", `subscription to ${contract.name}: ${why}`);
  };
  if (!Number.isInteger(policy.retries) || policy.retries < 0) refuse("retries must be an integer >= 0");
  if (!(policy.backoffMs >= 0) || !(policy.maxBackoffMs >= policy.backoffMs)) {
    refuse("backoffMs must be >= 0 and maxBackoffMs >= backoffMs");
  }
  if (policy.whenExhausted === "dead-letter" && !hasDeadLetters) {
    refuse("whenExhausted is dead-letter, but the contract declares no dead-letter topic (`deadLetter`)");
  }
  if (policy.retryMode === "retry-topic") {
    if (policy.whenExhausted !== "dead-letter") {
      refuse('retryMode "retry-topic" moves past the failed event; it needs whenExhausted "dead-letter"');
    }
    if (policy.retries < 1) refuse('retryMode "retry-topic" needs retries >= 1');
  }
  return policy;
}

/** What a failure strategy may use of the runtime. */
export interface FailureDeps {
  policy: FailurePolicy;
  invoker: HandlerInvoker;
  clock: Clock;
  instruments: Instruments;
  /** Absent when the contract declares no dead-letter topic. */
  deadLetters: DeadLetterPublisher | undefined;
  /** Holds (or releases) a partition: no new event of it is handed out meanwhile. */
  halt(tp: TopicPartition, halted: boolean): void;
  /** For `retry-topic`: the retry topic's full name and the writer that gets records there. */
  retryTopic?: { topic: string; writer: RecordWriter };
}

/**
 * Takes one event to its end. Resolves once the offset may move past it (handled, dead-lettered
 * or moved to the retry topic); rejects with Abandoned when its partition goes away first.
 */
export interface FailureStrategy {
  /** `first`: the first call's result when it was already made (a batch handler's failed event). */
  handle(prepared: Prepared, signal: AbortSignal, first?: AttemptResult): Promise<void>;
}

const abandonedOnAbort = (what: string) => () => {
  throw new Abandoned(what);
};

/** Shared by the strategies: contract violations, and what happens once retries are spent. */
abstract class Strategy implements FailureStrategy {
  constructor(protected readonly deps: FailureDeps) {}

  abstract handle(prepared: Prepared, signal: AbortSignal, first?: AttemptResult): Promise<void>;

  protected delay(retry: number): number {
    return backoffDelay(retry, this.deps.policy.backoffMs, this.deps.policy.maxBackoffMs);
  }

  /** A record that breaks the contract can never succeed: no retry, straight to the dead letters. */
  protected async invalid(prepared: Prepared, signal: AbortSignal): Promise<void> {
    const { deadLetters, halt } = this.deps;
    const failure = { reason: "contract-violation" as const, error: prepared.invalid, attempts: 0 };
    if (deadLetters) {
      await deadLetters.publish(asOriginal(prepared.message), failure, prepared.log, signal, prepared.message);
      return;
    }
    // Nowhere to put it and skipping is not allowed: the partition stays at it until it goes away.
    prepared.log.error(
      { err: prepared.invalid },
      "record breaks the contract and there is no dead-letter topic: partition stopped",
    );
    halt(prepared.message, true);
    try {
      await new Promise<never>((_, reject) => {
        const give = () => reject(new Abandoned("partition given up at an invalid record"));
        if (signal.aborted) give();
        else signal.addEventListener("abort", give, { once: true });
      });
    } finally {
      halt(prepared.message, false);
    }
  }

  /** Retries are spent: dead-letter, or (stop) hold the partition and keep trying at the capped backoff. */
  protected async exhausted(prepared: Prepared, attempts: number, error: unknown, signal: AbortSignal): Promise<void> {
    const { deadLetters, policy, invoker, clock, halt, instruments } = this.deps;
    if (policy.whenExhausted === "dead-letter" && deadLetters) {
      const failure = { reason: "handler-failed" as const, error, attempts };
      await deadLetters.publish(asOriginal(prepared.message), failure, prepared.log, signal, prepared.message);
      return;
    }
    prepared.log.error({ err: error, attempts }, "handler keeps failing: partition stopped at this event");
    halt(prepared.message, true);
    try {
      for (let attempt = attempts + 1; ; attempt++) {
        await clock.sleep(policy.maxBackoffMs, signal).catch(abandonedOnAbort("partition given up while stopped"));
        instruments.retried();
        const result = await invoker.attempt(prepared, attempt, signal);
        if (result.ok) return;
        if (signal.aborted) throw new Abandoned("partition given up while stopped");
        prepared.log.error({ err: result.error, attempt }, "handler still failing: partition stays stopped");
      }
    } finally {
      halt(prepared.message, false);
    }
  }
}

/** Retries in place with backoff: the event's lane waits (Spring's DefaultErrorHandler, today's behaviour). */
class BlockingRetries extends Strategy {
  async handle(prepared: Prepared, signal: AbortSignal, first?: AttemptResult): Promise<void> {
    if (prepared.invalid !== undefined) return this.invalid(prepared, signal);
    const { invoker, clock, instruments, policy } = this.deps;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new Abandoned("partition given up before the handler ran");
      const result = attempt === 1 && first ? first : await invoker.attempt(prepared, attempt, signal);
      if (result.ok) return;
      if (signal.aborted) throw new Abandoned("partition given up while the handler failed");
      if (attempt > policy.retries) return this.exhausted(prepared, attempt, result.error, signal);
      const delayMs = this.delay(attempt);
      prepared.log.warn({ err: result.error, attempt, delayMs }, "handler failed; retrying");
      instruments.retried();
      await clock.sleep(delayMs, signal).catch(abandonedOnAbort("partition given up while waiting to retry"));
    }
  }
}

/**
 * Non-blocking retries (Spring's @RetryableTopic): a failed event is written to the retry topic
 * with a due time, and its partition moves on at once. Read back from the retry topic, it waits
 * until due, is tried again, and goes back to the retry topic (longer backoff) or, retries
 * spent, to the dead-letter topic.
 */
class RetryTopicRetries extends Strategy {
  async handle(prepared: Prepared, signal: AbortSignal, first?: AttemptResult): Promise<void> {
    if (prepared.invalid !== undefined) return this.invalid(prepared, signal);
    const { invoker, clock, instruments, policy } = this.deps;
    const wait = dueAt(prepared.message) - clock.now();
    if (wait > 0) await clock.sleep(wait, signal).catch(abandonedOnAbort("partition given up before a retry was due"));
    if (signal.aborted) throw new Abandoned("partition given up before the handler ran");
    const attempt = attemptsMade(prepared.message) + 1;
    const result = first ?? (await invoker.attempt(prepared, attempt, signal));
    if (result.ok) return;
    if (signal.aborted) throw new Abandoned("partition given up while the handler failed");
    if (attempt > policy.retries) return this.exhausted(prepared, attempt, result.error, signal);
    const retryTopic = this.deps.retryTopic;
    if (!retryTopic) throw new Error("retry-topic strategy without a retry topic");
    const due = clock.now() + this.delay(attempt);
    const record = retryRecord(prepared.message, {
      topic: retryTopic.topic,
      attempts: attempt,
      dueAt: due,
      error: result.error,
    });
    await retryTopic.writer.write(record, prepared.log, signal, prepared.message);
    instruments.retried();
    instruments.sentToRetry();
    prepared.log.warn(
      { err: result.error, attempt, dueAt: new Date(due).toISOString() },
      "handler failed; sent to the retry topic",
    );
  }
}

/** The strategy for a resolved policy (picked once per subscription). */
export function failureStrategy(deps: FailureDeps): FailureStrategy {
  return deps.policy.retryMode === "retry-topic" ? new RetryTopicRetries(deps) : new BlockingRetries(deps);
}
