/** Who sent a request, as the edge established it, and the topics it may produce to. */
export interface Principal {
  /** Recorded on every record (`ce_authid`) and in the access log. */
  id: string;
  /** CloudEvents Auth Context `authtype`: `service_account` for API keys and the single token, `user` or `service_account` from a JWT. */
  type: "service_account" | "user";
  /** Logical topic names (as in `/topics/:topic`), or every topic. */
  topics: "*" | ReadonlySet<string>;
}

export const mayProduce = (principal: Principal, topic: string): boolean =>
  principal.topics === "*" || principal.topics.has(topic);

/** An authentication scheme: the bearer credential → its principal, or undefined when it is not one of this scheme's. */
export type Authenticator = (credential: string) => Promise<Principal | undefined>;
