package dev.kafkapair.bench;

import dev.kafkapair.bench.a.ServerA;
import dev.kafkapair.bench.b.ServerB;

/**
 * One jar for the tutorial's two Spring Boot servers, picked by the first argument:
 * `server-a` (the producer: an HTTP endpoint sending to Kafka) or `server-b` (the consumer:
 * a Kafka listener). Each lives in its own package, so neither scans the other's beans.
 */
public final class Peers {
  private Peers() {}

  public static void main(String[] args) {
    String which = args.length > 0 ? args[0] : "";
    switch (which) {
      case "server-a" -> ServerA.main(args);
      case "server-b" -> ServerB.main(args);
      default -> {
        System.err.println("usage: java -jar spring-peers.jar server-a|server-b");
        System.exit(2);
      }
    }
  }
}
