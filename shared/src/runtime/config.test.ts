import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("gives every variable its default", () => {
    const config = loadConfig("producer", {});
    expect(config.port).toBe(3000);
    expect(config.kafka.bootstrapServers).toBe("127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094");
    expect(config.kafka.clientId).toBe("kafka-pair-producer");
    expect(config.deliveryTimeoutMs).toBe(10_000);
    expect(config.namespace.topic("orders")).toBe("orders");
    expect(loadConfig("consumer", {}).port).toBe(3001);
    expect(config.host).toBe("0.0.0.0");
  });

  it("serves the console on 127.0.0.1:8989 unless told otherwise", () => {
    const console = loadConfig("console", {});
    expect([console.host, console.port, console.kafka.clientId]).toEqual(["127.0.0.1", 8989, "kafka-pair-console"]);
    expect(console.console).toEqual({
      producerUrl: "http://127.0.0.1:3000",
      consumerUrl: "http://127.0.0.1:3001",
      sampleIntervalMs: 5000,
    });
    const moved = loadConfig("console", { HOST: "0.0.0.0", PORT: "4389", CONSOLE_PRODUCER_URL: "http://edge:3000" });
    expect([moved.host, moved.port, moved.console.producerUrl]).toEqual(["0.0.0.0", 4389, "http://edge:3000"]);
    expect(() => loadConfig("console", { CONSOLE_PRODUCER_URL: "not a url" })).toThrow(/CONSOLE_PRODUCER_URL/);
  });

  it("passes SASL and TLS settings through as librdkafka properties", () => {
    const config = loadConfig("consumer", {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "svc",
      KAFKA_SASL_PASSWORD: "secret",
      KAFKA_SSL_CA_LOCATION: "/etc/ca.pem",
    });
    expect(config.kafka.security).toEqual({
      "security.protocol": "sasl_ssl",
      "sasl.mechanisms": "SCRAM-SHA-512",
      "sasl.username": "svc",
      "sasl.password": "secret",
      "ssl.ca.location": "/etc/ca.pem",
    });
  });

  it("speaks the classic group protocol unless told otherwise, with its own settings", () => {
    expect(loadConfig("consumer", {}).group).toEqual({ protocol: "classic" });
    expect(
      loadConfig("consumer", { KAFKA_SESSION_TIMEOUT_MS: "10000", KAFKA_HEARTBEAT_INTERVAL_MS: "1000" }).group,
    ).toEqual({ protocol: "classic", sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 });
    expect(
      loadConfig("consumer", { KAFKA_GROUP_PROTOCOL: "consumer", KAFKA_GROUP_REMOTE_ASSIGNOR: "range" }).group,
    ).toEqual({ protocol: "consumer", remoteAssignor: "range" });
  });

  it("refuses the settings KIP-848 hands to the broker, and the reverse, saying why", () => {
    expect(() =>
      loadConfig("consumer", {
        KAFKA_GROUP_PROTOCOL: "consumer",
        KAFKA_SESSION_TIMEOUT_MS: "10000",
        KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
      }),
    ).toThrowError(
      /KAFKA_SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS cannot be set with KAFKA_GROUP_PROTOCOL=consumer: under KIP-848 the broker decides/,
    );
    expect(() => loadConfig("consumer", { KAFKA_GROUP_REMOTE_ASSIGNOR: "uniform" })).toThrowError(
      /KAFKA_GROUP_REMOTE_ASSIGNOR is a KAFKA_GROUP_PROTOCOL=consumer setting/,
    );
    expect(() => loadConfig("consumer", { KAFKA_GROUP_PROTOCOL: "eager" })).toThrowError(/KAFKA_GROUP_PROTOCOL/);
  });

  it("keeps the consumer's database in SQLite under ./data unless DATABASE_URL names another", () => {
    expect(loadConfig("consumer", {}).databaseUrl).toBe("sqlite:data/consumer.db");
    const pg = "postgres://app:secret@db.internal:5432/shop";
    expect(loadConfig("consumer", { DATABASE_URL: pg }).databaseUrl).toBe(pg);
    expect(loadConfig("consumer", { DATABASE_URL: "sqlite:/var/lib/c.db" }).databaseUrl).toBe("sqlite:/var/lib/c.db");
    for (const bad of ["mysql://db/app", "data/consumer.db", "sqlite:", "sqlite::memory:"]) {
      expect(() => loadConfig("consumer", { DATABASE_URL: bad })).toThrowError(/DATABASE_URL/);
    }
  });

  it("refuses bad values, naming every one", () => {
    expect(() =>
      loadConfig("producer", { KAFKA_BOOTSTRAP_SERVERS: "localhost", LOG_LEVEL: "loud", KAFKA_LINGER_MS: "-1" }),
    ).toThrowError(
      /KAFKA_BOOTSTRAP_SERVERS.*LOG_LEVEL.*KAFKA_LINGER_MS|KAFKA_BOOTSTRAP_SERVERS.*KAFKA_LINGER_MS.*LOG_LEVEL/,
    );
    expect(() => loadConfig("producer", { PORT: "99999" })).toThrowError(/PORT/);
    expect(() => loadConfig("producer", { PRODUCER_API_TOKEN: "short" })).toThrowError(/PRODUCER_API_TOKEN/);
  });

  it("refuses a zero bound on a wait, which would end the wait before it began", () => {
    for (const name of ["KAFKA_DELIVERY_TIMEOUT_MS", "SHUTDOWN_TIMEOUT_MS", "CONSUMER_REVOKE_TIMEOUT_MS"]) {
      expect(() => loadConfig("consumer", { [name]: "0" })).toThrowError(new RegExp(`${name}.*at least 1 ms`));
    }
    expect(loadConfig("consumer", { SHUTDOWN_TIMEOUT_MS: "1" }).shutdownTimeoutMs).toBe(1);
  });

  it("refuses a zero idempotency window, which one store read as forever and the other refused", () => {
    expect(() => loadConfig("producer", { IDEMPOTENCY_WINDOW_MS: "0" })).toThrowError(
      /IDEMPOTENCY_WINDOW_MS.*at least 1 ms/,
    );
    expect(loadConfig("producer", { IDEMPOTENCY_WINDOW_MS: "1" }).producer.idempotencyWindowMs).toBe(1);
  });
});
