package dev.kafkapair.bench.b;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Service;

import jakarta.annotation.PreDestroy;

@Service
public class KafkaConsumeService {
  private static final Logger log = LoggerFactory.getLogger(KafkaConsumeService.class);

  @Value("${bench.io-ms}")
  private long ioMs;

  @Value("${bench.stats-file}")
  private String statsFile;

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong violations = new AtomicLong();
  private final Map<String, Long> lastOffsetByKey = new ConcurrentHashMap<>();

  @KafkaListener(topics = "${bench.topic}", containerFactory = "kafkaListenerContainerFactory")
  public void consume(ConsumerRecord<String, String> record, Acknowledgment acknowledgment) throws InterruptedException {
    String message = record.value();
    long offset = record.offset();

    log.info("Consumed message: {}, offset : {}", message, offset);

    if (ioMs > 0) Thread.sleep(ioMs);
    Long previous = lastOffsetByKey.put(record.partition() + "\u0000" + record.key(), offset);
    if (previous != null && previous >= offset) violations.incrementAndGet();
    processed.incrementAndGet();

    acknowledgment.acknowledge();
  }

  @PreDestroy
  public void writeStats() throws IOException {
    if (statsFile == null || statsFile.isEmpty()) return;
    Files.writeString(
        Path.of(statsFile),
        String.format("{\"processed\":%d,\"orderViolations\":%d}", processed.get(), violations.get()));
  }
}
