import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Subscription } from "./handler.ts";

function isSubscription(value: unknown): value is Subscription {
  const s = value as Partial<Subscription> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    typeof s.groupId === "string" &&
    (typeof s.handle === "function") !== (typeof s.handleBatch === "function") &&
    typeof s.fromBeginning === "boolean" &&
    typeof s.contract?.name === "string"
  );
}

/**
 * The subscriptions to run: the built-in handlers, or those exported as `subscriptions` by
 * the module CONSUMER_HANDLERS names (resolved from the working directory).
 */
export async function loadSubscriptions(modulePath: string | undefined): Promise<Subscription[]> {
  const module = (
    modulePath ? await import(pathToFileURL(resolve(modulePath)).href) : await import("./handlers/index.ts")
  ) as { subscriptions?: unknown };
  const list = module.subscriptions;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isSubscription)) {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      `CONSUMER_HANDLERS: ${modulePath} must export \`subscriptions\`, a non-empty array of subscribe(...) results`,
    );
  }
  const groups = list.map((s) => `${s.groupId}/${s.contract.name}`);
  const repeated = groups.find((g, i) => groups.indexOf(g) !== i);
  if (repeated)
    throw new KafkaPairError("CONFIG_INVALID", `two subscriptions for the same group and topic: ${repeated}`);
  return list;
}
