package dev.kafkapair.bench.a;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The tutorial's server A, as written there: KafkaProducerConfig (String serializers, retries 3,
 * a 10 s delivery timeout), KafkaProducerService (KafkaTemplate.send, log the result) and
 * KafkaController. What the benchmark changes, to measure it beside the producer edge on the same
 * load: the controller takes a POSTed order (the tutorial's is a GET sending "ok"), keys its
 * record by orderId like the edge does, and answers 201 only once the send result is in (the
 * tutorial answers before it); and request.timeout.ms is lowered so the tutorial's delivery
 * timeout is a valid configuration on current clients (see KafkaProducerConfig).
 */
@SpringBootApplication
public class ServerA {
  public static void main(String[] args) {
    SpringApplication.run(ServerA.class, args);
  }
}
