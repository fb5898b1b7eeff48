#!/usr/bin/env bash
# kafka-run-class.sh <main class> [args]: runs a Kafka class on the image's jars, honouring the
# usual KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS and KAFKA_LOG4J_OPTS.
set -euo pipefail
main=$1
shift
home=/opt/kafka
# shellcheck disable=SC2206 # these variables hold several JVM flags each
jvm=(${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$home/config/tools-log4j2.properties} ${KAFKA_OPTS-})
exec java "${jvm[@]}" -cp "$home/libs/*" "$main" "$@"
