package dev.kafkapair.bench.a;

import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaProducerException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Service;

@Service
public class KafkaProducerService {
  private static final Logger log = LoggerFactory.getLogger(KafkaProducerService.class);

  private final KafkaTemplate<String, String> kafkaTemplate;

  public KafkaProducerService(KafkaTemplate<String, String> kafkaTemplate) {
    this.kafkaTemplate = kafkaTemplate;
  }

  /**
   * The tutorial's send with its callbacks (ListenableFuture's addCallback is gone from
   * spring-kafka 3; CompletableFuture's whenComplete is its replacement). The record is keyed,
   * and the future is returned so the controller can answer after the result.
   */
  public CompletableFuture<SendResult<String, String>> sendMessage(String topic, String key, String message) {
    return kafkaTemplate.send(topic, key, message).whenComplete((result, ex) -> {
      if (ex == null) {
        log.info("전송 성공, {}", result);
      } else if (ex instanceof KafkaProducerException) {
        log.info("전송 실패");
      }
    });
  }
}
