package dev.kafkapair.bench.a;

import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.kafka.KafkaException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

@RestController
public class KafkaController {

  /** The order's key, read from the body the way Spring reads JSON; the rest of the body goes as it came. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record OrderKey(String orderId) {}

  private final KafkaProducerService kafkaProducerService;
  private final JsonMapper jsonMapper;

  @Value("${bench.topic}")
  private String topic;

  public KafkaController(KafkaProducerService kafkaProducerService, JsonMapper jsonMapper) {
    this.kafkaProducerService = kafkaProducerService;
    this.jsonMapper = jsonMapper;
  }

  @GetMapping("/ready")
  public String ready() {
    return "ok";
  }

  /** POST /topics/orders: the record is keyed by orderId; the answer waits for the send result. */
  @PostMapping(path = "/topics/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> sendMessage(@PathVariable String name, @RequestBody String body)
      throws InterruptedException {
    if (!"orders".equals(name)) return ResponseEntity.status(HttpStatus.NOT_FOUND).body("{\"error\":\"unknown topic\"}");
    String key;
    try {
      key = jsonMapper.readValue(body, OrderKey.class).orderId();
    } catch (JacksonException e) {
      return ResponseEntity.badRequest().body("{\"error\":\"body is not JSON\"}");
    }
    if (key == null) return ResponseEntity.badRequest().body("{\"error\":\"orderId is required\"}");
    try {
      RecordMetadata sent = kafkaProducerService.sendMessage(topic, key, body).get().getRecordMetadata();
      return ResponseEntity.status(HttpStatus.CREATED)
          .contentType(MediaType.APPLICATION_JSON)
          .body("{\"partition\":" + sent.partition() + ",\"offset\":" + sent.offset() + "}");
    } catch (ExecutionException | KafkaException e) {
      // A failed send (ExecutionException) or one refused before it left (KafkaException): nothing acknowledged.
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("{\"error\":\"send failed\"}");
    }
  }
}
