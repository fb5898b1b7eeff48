import { deadLetterTopicOf } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ConsumerSettings, Logger, Namespace } from "@kafka-pair/shared/runtime";
import { provisionTopics } from "@kafka-pair/shared/runtime";
import type {
  ConsumedMessage,
  ConsumerTransport,
  KafkaTransport,
  ProducerTransport,
  TopicPartition,
} from "@kafka-pair/shared/transport";
import { Semaphore } from "./concurrency.ts";
import type { Delivery, Subscription } from "./handler.ts";
import type { ConsumerMetrics, LagSample } from "./metrics.ts";
import { OffsetTracker, type Ticket } from "./offsets.ts";
import { Abandoned, type DeadLetterHealth, DeadLetterPublisher } from "./policies/dead-letters.ts";
import { type DeliveryStrategy, deliveryStrategy } from "./policies/delivery.ts";
import { type FailurePolicy, type FailureStrategy, failureStrategy, resolveFailurePolicy } from "./policies/failure.ts";
import { laneOf, type Ordering } from "./policies/ordering.ts";
import { retryTopicOf } from "./policies/retry-topic.ts";
import { Batcher } from "./runtime/batcher.ts";
import { type Clock, systemClock } from "./runtime/clock.ts";
import { crashHook } from "./runtime/crash.ts";
import { Dispatcher } from "./runtime/dispatcher.ts";
import { Instruments, type RunnerStats } from "./runtime/instruments.ts";
import { type AttemptResult, HandlerInvoker } from "./runtime/invoker.ts";
import { lagSamples, type PartitionStatus, partitionStatuses } from "./runtime/lag.ts";
import type { OffsetStore } from "./store/types.ts";

export type { PartitionStatus, RunnerStats };

export interface RunnerDeps {
  transport: KafkaTransport;
  /** Writes dead letters (and retry-topic records); shared by the worker's runners. */
  producer: ProducerTransport;
  subscription: Subscription;
  namespace: Namespace;
  logger: Logger;
  metrics: ConsumerMetrics;
  settings: ConsumerSettings;
  /** Injected by tests to drive backoffs and due times; the system clock otherwise. */
  clock?: Clock;
  /** The worker's database (DATABASE_URL), for `store: true` subscriptions. */
  store?: OffsetStore;
}

/** What /ready says about one subscription beyond "joined". */
export interface RunnerHealth {
  deadLetters: DeadLetterHealth;
  /** Partitions held at a failing event by a `stop` policy (or a record breaking the contract with no dead-letter topic). */
  stoppedPartitions: TopicPartition[];
}

const never = new AbortController().signal;

/** An event received and waiting in its partition's batch. */
interface Batched {
  message: ConsumedMessage;
  ticket: Ticket;
  signal: AbortSignal;
}
const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * What exactly-once does not cover yet, refused at construction rather than half-kept: a batch
 * handler (its events would need one emission each), and the retry topic (a retry record is the
 * next attempt's input: it would have to commit with its source's offset and be read back
 * read_committed — possible, not built).
 */
function refuseForExactlyOnce(subscription: Subscription, policy: FailurePolicy): void {
  const refuse = (why: string) => {
    throw new KafkaPairError("CONFIG_INVALID", `subscription to ${subscription.contract.name}: ${why}`);
  };
  if (subscription.handleBatch) refuse('delivery "exactly-once" takes handle(), not handleBatch()');
  if (policy.retryMode === "retry-topic") refuse('delivery "exactly-once" retries in place (retryMode "blocking")');
  // One claim at a time per partition: each compare-and-sets the position the previous one wrote.
  if (subscription.store && (subscription.ordering ?? "partition") !== "partition") {
    refuse('a `store` subscription takes ordering "partition": its claims move one position per partition in order');
  }
}

function storeFor(subscription: Subscription, store: OffsetStore | undefined): OffsetStore {
  if (subscription.delivery !== "exactly-once") {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      `subscription to ${subscription.contract.name}: \`store\` needs delivery "exactly-once"`,
    );
  }
  if (!store) {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      `subscription to ${subscription.contract.name}: \`store\` needs the worker's database (DATABASE_URL)`,
    );
  }
  return store;
}

/**
 * The listener container of one subscription: wires the transport to the runtime's parts and
 * knows no policy itself. Per message: the offset tracker notes it, the dispatcher hands it out
 * (ordering + back-pressure), the failure strategy takes it to its end (handler, retries, dead
 * letter or retry topic), then the tracker marks it done and the committer commits the
 * contiguous prefix. On revocation it waits (bounded) for its own work of those partitions,
 * commits, and lets them go.
 */
export class SubscriptionRunner {
  readonly subscription: Subscription;
  readonly ordering: Ordering;
  readonly maxInFlight: number;
  readonly failurePolicy: FailurePolicy;
  readonly delivery: Delivery;
  readonly #deps: RunnerDeps;
  readonly #clock: Clock;
  readonly #consumer: ConsumerTransport;
  readonly #logger: Logger;
  readonly #instruments: Instruments;
  readonly #tracker: OffsetTracker;
  readonly #delivery: DeliveryStrategy;
  readonly #dispatcher: Dispatcher;
  readonly #invoker: HandlerInvoker;
  readonly #strategy: FailureStrategy;
  readonly #stopped = new Map<string, TopicPartition>();
  readonly #retryTopic: string | undefined;
  readonly #mainTopic: string;
  /** Batch handlers only: gathers each partition's events into batches. */
  readonly #batcher: Batcher<Batched> | undefined;
  /** Nudges the committer now and then: a transaction's marker may arrive after its last record was done. */
  #idleCommits: ReturnType<typeof setInterval> | undefined;

  constructor(deps: RunnerDeps) {
    const { subscription, namespace: ns, settings, metrics } = deps;
    const { contract } = subscription;
    this.#deps = deps;
    this.subscription = subscription;
    this.#clock = deps.clock ?? systemClock;
    this.failurePolicy = resolveFailurePolicy(contract, subscription.onFailure, settings);
    this.ordering = subscription.ordering ?? (subscription.store ? "partition" : "key");
    this.delivery = subscription.delivery ?? "at-least-once";
    if (this.delivery === "exactly-once") refuseForExactlyOnce(subscription, this.failurePolicy);
    this.maxInFlight = subscription.maxInFlight ?? settings.concurrency;
    this.#logger = deps.logger.child({ topic: contract.name, groupId: subscription.groupId });
    this.#instruments = new Instruments(metrics, { topic: contract.name, group: subscription.groupId });
    this.#mainTopic = ns.topic(contract.name);
    this.#retryTopic =
      this.failurePolicy.retryMode === "retry-topic" ? ns.topic(retryTopicOf(contract.name)) : undefined;
    // A partition's batches are handed out one at a time, in order.
    this.#dispatcher = new Dispatcher(laneOf(subscription.handleBatch ? "partition" : this.ordering), this.maxInFlight);
    this.#batcher = subscription.handleBatch
      ? new Batcher({
          maxEvents: subscription.batch?.maxEvents ?? 100,
          maxWaitMs: subscription.batch?.maxWaitMs ?? 50,
          clock: this.#clock,
          flush: (tp, items) => this.#dispatcher.schedule(tp, null, () => this.#batchWork(items), items[0]?.signal),
        })
      : undefined;
    this.#consumer = deps.transport.consumer({
      groupId: ns.group(subscription.groupId),
      // Non-blocking retries: the same group reads the retry topic beside the main one.
      topics: this.#retryTopic === undefined ? [this.#mainTopic] : [this.#mainTopic, this.#retryTopic],
      fromBeginning: subscription.fromBeginning,
      revokeTimeoutMs: settings.revokeTimeoutMs,
      maxBufferedPerPartition: settings.maxBufferedPerPartition,
    });
    this.#tracker = new OffsetTracker((tp) => this.#consumer.position(tp));
    const backoff = { backoffMs: this.failurePolicy.backoffMs, maxBackoffMs: this.failurePolicy.maxBackoffMs };
    this.#delivery = deliveryStrategy(this.delivery, {
      groupId: subscription.groupId,
      namespace: ns,
      emits: subscription.emits ?? [],
      consumer: this.#consumer,
      tracker: this.#tracker,
      clock: this.#clock,
      instruments: this.#instruments,
      logger: this.#logger,
      backoff,
      commitIntervalMs: settings.commitIntervalMs,
      crash: crashHook(settings.crashAt),
      producer: deps.producer,
      transport: deps.transport,
      kafkaGroup: ns.group(subscription.groupId),
      ...(subscription.store ? { store: storeFor(subscription, deps.store) } : {}),
      bounds: {
        maxEvents: subscription.transaction?.maxEvents ?? 500,
        maxWaitMs: subscription.transaction?.maxWaitMs ?? 100,
      },
    });
    const delivery = this.#delivery;
    this.#invoker = new HandlerInvoker(
      subscription,
      this.#logger,
      this.#instruments,
      new Semaphore(this.maxInFlight),
      (prepared, call) => delivery.attempt({ source: prepared.message, trace: prepared.context.trace }, call),
    );
    const dlq = deadLetterTopicOf(contract);
    this.#strategy = failureStrategy({
      policy: this.failurePolicy,
      invoker: this.#invoker,
      clock: this.#clock,
      instruments: this.#instruments,
      deadLetters:
        dlq === undefined
          ? undefined
          : new DeadLetterPublisher({
              writer: delivery.writer,
              topic: ns.topic(dlq),
              group: subscription.groupId,
              clock: this.#clock,
              instruments: this.#instruments,
            }),
      halt: (tp, halted) => this.#halt(tp, halted),
      retryTopic: this.#retryTopic === undefined ? undefined : { topic: this.#retryTopic, writer: delivery.writer },
    });
  }

  get stats(): RunnerStats {
    return this.#instruments.stats;
  }

  async start(): Promise<void> {
    const { transport, namespace, logger, subscription } = this.#deps;
    if (this.#retryTopic !== undefined) {
      // The retry topic mirrors its topic's partitions; it is the runtime's, not the contract's.
      const { contract } = subscription;
      await provisionTopics(
        transport,
        [{ ...contract, name: retryTopicOf(contract.name), deadLetter: undefined }],
        namespace,
        logger,
      );
    }
    const consumer = this.#consumer;
    consumer.onRebalance({
      onAssign: (partitions) => this.#onAssign(partitions),
      onRevoke: (partitions, { lost }) => this.#onRevoke(partitions, lost),
    });
    // Exactly-once: the subscription's own transactional producer, up before the first event.
    await this.#delivery.start();
    await consumer.connect();
    await consumer.run((message) => this.#onMessage(message));
    this.#idleCommits = setInterval(() => this.#delivery.committer.notify(), 1_000);
    this.#idleCommits.unref?.();
    this.#logger.info(
      {
        ordering: this.ordering,
        maxInFlight: this.maxInFlight,
        failurePolicy: this.failurePolicy,
        delivery: this.delivery,
      },
      "subscribed",
    );
  }

  #onAssign(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      this.#tracker.assign(tp);
      this.#dispatcher.assign(tp);
    }
    if (this.subscription.store) this.#recover(partitions);
    // The committed offsets are only needed for the lag until this member commits; no need to wait.
    this.#consumer
      .committed(partitions)
      .then((positions) => {
        for (const position of positions) this.#tracker.seedCommitted(position);
      })
      .catch((err) => this.#logger.warn({ err }, "could not read committed offsets"));
  }

  /**
   * A `store` subscription's partitions wait, halted, until the delivery strategy has compared the
   * database's positions with the group's and relayed what a dead member left in the outbox.
   */
  #recover(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.#dispatcher.halt(tp, true);
    const stillOurs = () => {
      const held = new Set(this.#consumer.assignment().map(keyOf));
      return partitions.some((tp) => held.has(keyOf(tp)));
    };
    const attempt = (): Promise<void> =>
      this.#delivery.assigned(partitions).catch(async (err) => {
        this.#logger.error({ err }, "cannot recover the partitions from the database; trying again");
        await this.#clock.sleep(this.failurePolicy.maxBackoffMs);
        if (stillOurs()) return attempt();
      });
    void attempt().finally(() => {
      for (const tp of partitions) this.#dispatcher.halt(tp, false);
    });
  }

  async #onRevoke(partitions: TopicPartition[], lost: boolean): Promise<void> {
    // The transport aborted the partitions' signals: waiting work gives up, handlers may stop early.
    // What is running gets the revoke timeout to finish; its offsets are committed if it does.
    await this.#settle(partitions);
    // A lost assignment belongs to someone else already: committing it would be a zombie's commit.
    if (!lost) {
      try {
        await this.#delivery.committer.flush();
      } catch (err) {
        this.#logger.error({ err }, "final commit before revocation failed; the next owner will repeat those events");
      }
    }
    for (const tp of partitions) {
      // Events still gathering into a batch are left uncommitted for the next owner.
      this.#batcher?.drop(tp);
      this.#delivery.forget(tp);
      this.#tracker.revoke(tp);
      this.#dispatcher.forget(tp);
      this.#stopped.delete(keyOf(tp));
    }
  }

  /** Waits until this runner's work on `partitions` is over, or the revoke timeout passed. */
  async #settle(partitions: TopicPartition[]): Promise<void> {
    const quiet = new AbortController();
    const idle = Promise.all(partitions.map((tp) => this.#dispatcher.idle(tp))).then(() => false);
    const late = this.#clock.sleep(this.#deps.settings.revokeTimeoutMs, quiet.signal).then(
      () => true,
      () => false,
    );
    if (await Promise.race([idle, late])) {
      this.#logger.error(
        { timeoutMs: this.#deps.settings.revokeTimeoutMs },
        "handlers outlived the revocation; their events are left to the next owner",
      );
    }
    quiet.abort();
  }

  async #onMessage(message: ConsumedMessage): Promise<void> {
    const signal = message.signal ?? never;
    const ticket = this.#tracker.received(message, message.offset);
    // Retry-topic records are retried one by one, batch handler or not.
    if (this.#batcher && message.topic !== this.#retryTopic) {
      await this.#batcher.add(message, { message, ticket, signal });
      return;
    }
    // Resolves once the event is handed out (after back-pressure); its work goes on in the background.
    await this.#dispatcher.schedule(message, message.key, () => this.#work(message, ticket, signal), signal);
  }

  /** Never rejects: the dispatcher's lanes chain on it. */
  async #work(message: ConsumedMessage, ticket: Ticket, signal: AbortSignal): Promise<void> {
    try {
      await this.#strategy.handle(this.#invoker.prepare(message), signal);
    } catch (err) {
      // Abandoned: left uncommitted for the next owner. Anything else is a bug; it is not committed either.
      if (!(err instanceof Abandoned)) this.#logger.error({ err, offset: message.offset }, "event left unfinished");
      return;
    }
    this.#tracker.done(ticket);
    this.#delivery.committer.notify();
  }

  /**
   * One batch: records that break the contract go their own way; the rest go to `handleBatch`
   * together. Handled ones are done at once; failed ones follow the failure policy one by one,
   * in offset order. The commit moves past an event only once it and all before it are done.
   */
  async #batchWork(items: Batched[]): Promise<void> {
    const signal = items[0]?.signal ?? never;
    const events = items.map((item) => ({ item, prepared: this.#invoker.prepare(item.message) }));
    const valid = events.filter((e) => e.prepared.invalid === undefined);
    const errors = signal.aborted
      ? new Map(valid.map((_, i) => [i, signal.reason]))
      : await this.#invoker.attemptBatch(
          valid.map((e) => e.prepared),
          signal,
        );
    // What is left for the failure policy, with the batch call's result as each one's first attempt
    // (none for records breaking the contract: they never reached the handler).
    const left = new Map<(typeof events)[number], AttemptResult | undefined>();
    valid.forEach((e, i) => {
      if (errors.has(i)) left.set(e, { ok: false, error: errors.get(i) });
      else this.#tracker.done(e.item.ticket);
    });
    if (left.size < valid.length) this.#delivery.committer.notify();
    for (const e of events) if (e.prepared.invalid !== undefined) left.set(e, undefined);
    // One by one, in offset order: under a blocking policy a failed event holds the failed ones after it.
    const inOrder = [...left.keys()].sort((a, b) =>
      Number(BigInt(a.item.message.offset) - BigInt(b.item.message.offset)),
    );
    for (const e of inOrder) {
      try {
        await this.#strategy.handle(e.prepared, signal, left.get(e));
      } catch (err) {
        if (!(err instanceof Abandoned)) {
          this.#logger.error({ err, offset: e.item.message.offset }, "event left unfinished");
        }
        // The partition is going away (or a bug): the rest of the batch is left uncommitted too.
        return;
      }
      this.#tracker.done(e.item.ticket);
      this.#delivery.committer.notify();
    }
  }

  #halt(tp: TopicPartition, halted: boolean): void {
    const key = keyOf(tp);
    if (halted) this.#stopped.set(key, { topic: tp.topic, partition: tp.partition });
    else this.#stopped.delete(key);
    this.#dispatcher.halt(tp, halted);
  }

  isReady(): boolean {
    return this.#consumer.isJoined();
  }

  health(): RunnerHealth {
    return { deadLetters: this.#delivery.health(), stoppedPartitions: [...this.#stopped.values()] };
  }

  assignment(): TopicPartition[] {
    return this.#consumer.assignment();
  }

  partitions(): PartitionStatus[] {
    return partitionStatuses(this.#tracker, this.#consumer);
  }

  lagSamples(): LagSample[] {
    const name = this.subscription.contract.name;
    return lagSamples(this.partitions(), this.subscription.groupId, (topic) =>
      topic === this.#retryTopic ? retryTopicOf(name) : name,
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.#idleCommits);
    // The adapter stops fetching and calls onRevoke (which waits for this runner's work, then commits) before leaving.
    await this.#consumer.disconnect();
    this.#delivery.committer.close();
    await this.#delivery.stop();
    this.#logger.info({ ...this.stats }, "left the group");
  }
}
