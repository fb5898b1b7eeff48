package dev.kafkapair.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.support.Acknowledgment;

import jakarta.annotation.PreDestroy;

/**
 * The tutorial's server B, as written there (consumer factory with read_committed, a listener
 * container factory in MANUAL_IMMEDIATE, a listener that logs the message and its offset, then
 * acknowledges), reading the benchmark's topic from the beginning. The benchmark adds what it
 * measures: an optional wait per message (BENCH_IO_MS, the handler's I/O), the container's
 * concurrency, and on shutdown a stats file with the messages handled and per-key order checks.
 */
@SpringBootApplication
@EnableKafka
public class ServerB {
  private static final Logger log = LoggerFactory.getLogger(ServerB.class);

  @Value("${kafka.bootstrap-servers}")
  private String bootstrapServers;

  @Value("${bench.group}")
  private String group;

  @Value("${bench.concurrency}")
  private int concurrency;

  @Value("${bench.io-ms}")
  private long ioMs;

  @Value("${bench.stats-file}")
  private String statsFile;

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong violations = new AtomicLong();
  private final Map<String, Long> lastOffsetByKey = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    SpringApplication.run(ServerB.class, args);
  }

  @Bean
  public ConsumerFactory<String, String> consumerFactory() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    // The tutorial reads only new pings ("latest"); the benchmark drains a backlog.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new DefaultKafkaConsumerFactory<>(props);
  }

  @Bean
  public ConcurrentKafkaListenerContainerFactory<String, String> kafkaListenerContainerFactory() {
    ConcurrentKafkaListenerContainerFactory<String, String> factory = new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(consumerFactory());
    factory.setConcurrency(concurrency);
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL_IMMEDIATE);
    return factory;
  }

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
