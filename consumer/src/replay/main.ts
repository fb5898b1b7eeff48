/**
 * Sends a topic's dead letters back to the topic, as they were first written (the `dlq_*`
 * headers dropped, `replayed_from` added):
 *
 *   npm run replay -- <topic> [--limit N] [--dry-run]
 *
 * Reads `<topic>.dlq` up to its end as of the start (letters that fail again and come back
 * are not replayed twice in one run) with the group `<topic>.dlq.replay`, committing each
 * letter once the source topic has it: a second run goes on where the first stopped.
 * Uses the same environment as the consumer (KAFKA_BOOTSTRAP_SERVERS, KAFKA_NAMESPACE, the
 * transport it selects, ...): the replay itself (./replay.ts) sees only the transport port.
 */
import { parseArgs } from "node:util";
import { deadLetterTopicOf, findContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { replayDeadLetters } from "./replay.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { limit: { type: "string" }, "dry-run": { type: "boolean", default: false } },
});
const config = loadConfig("consumer");
const logger = createLogger("replay", config.logLevel);

function fail(message: string): never {
  logger.error(message);
  process.exit(2);
}

const name = positionals[0] ?? fail("usage: npm run replay -- <topic> [--limit N] [--dry-run]");
const contract = findContract(name) ?? fail(`no contract for topic ${name}`);
const dlqName = deadLetterTopicOf(contract) ?? fail(`topic ${name} declares no dead-letter topic`);
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
if (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY) fail("--limit must be a whole number");
const dryRun = values["dry-run"];

const ns = config.namespace;
const transport = await createTransport(config, logger);
const result = await replayDeadLetters(transport, logger, {
  source: ns.topic(contract.name),
  deadLetterTopic: ns.topic(dlqName),
  groupId: ns.group(`${dlqName}.replay`),
  limit,
  dryRun,
});
console.log(JSON.stringify({ topic: name, ...result }));
if (!result.complete) {
  logger.error(new KafkaPairError("KAFKA_UNAVAILABLE", "stopped before reaching the end of the dead-letter topic"));
}
process.exit(result.complete ? 0 : 1);
