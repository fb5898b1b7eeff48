package dev.kafkapair.bench.b;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The tutorial's server B, as written there: KafkaConsumerConfig (read_committed consumer factory,
 * MANUAL_IMMEDIATE container factory) and KafkaConsumeService (log the message and its offset,
 * then acknowledge), reading the benchmark's topic. The benchmark adds what it measures: an
 * optional wait per message (BENCH_IO_MS, the handler's I/O), the container's concurrency, and on
 * shutdown a stats file with the messages handled and a per-key order check.
 */
@SpringBootApplication
public class ServerB {
  public static void main(String[] args) {
    // The jar carries server A's web stack too; server B, as in the tutorial, serves no HTTP.
    new SpringApplicationBuilder(ServerB.class).web(WebApplicationType.NONE).run(args);
  }
}
