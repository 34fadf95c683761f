#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Dev/test Kafka: one official Apache Kafka 3.9 broker in KRaft combined mode
# (broker + controller in one JVM), PLAINTEXT on 127.0.0.1:9092, controller on :9093.
# The jars come from Maven Central through scripts/infra/kafka/pom.xml into ~/.m2 (shared,
# outside the repo); the resolved classpath is cached under .run/tools/kafka per pom hash.
#   usage: scripts/infra/kafka.sh up|down|status|restart
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../lib/node.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/node.sh"

NAME=kafka
PORT=9092
CONTROLLER_PORT=9093
HERE="$INFRA_DIR/kafka"
DATA="$DATA_DIR/kafka"
CONF="$DATA/server.properties"
LOGFILE="$LOG_DIR/kafka.log"
STDOUT_LOG="$LOG_DIR/kafka.stdout.log"
CP_DIR="$TOOLS_DIR/kafka"
PATTERN="kafka.Kafka $CONF"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

ensure_java() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  major="${major%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "kafka needs Java 17+, found '${major:-none}' (java: $(command -v java))"
  fi
}

# classpath — prints the broker's classpath, resolving it with Maven only when the pom
# changed (or a cached jar vanished from ~/.m2).
classpath() {
  local key file jar
  key="$(sha256sum "$HERE/pom.xml" | cut -c1-16)"
  file="$CP_DIR/classpath-$key.txt"
  if [[ -s "$file" ]]; then
    local ok=1
    while IFS= read -r -d ':' jar; do [[ -f "$jar" ]] || { ok=0; break; }; done < <(printf '%s:' "$(<"$file")")
    if ((ok)); then cat "$file"; return 0; fi
    log "kafka: a cached jar is gone from ~/.m2; resolving again"
  fi
  mkdir -p "$CP_DIR"
  log "kafka: resolving Kafka jars with Maven (first time only; log: $LOG_DIR/kafka-maven.log)"
  mvn -B -q -f "$HERE/pom.xml" dependency:build-classpath -Dmdep.outputFile="$file.tmp" \
    >"$LOG_DIR/kafka-maven.log" 2>&1 || die "kafka: Maven could not resolve the Kafka jars (log: $LOG_DIR/kafka-maven.log)"
  mv "$file.tmp" "$file"
  rm -f "$CP_DIR"/classpath-*.txt.tmp
  find "$CP_DIR" -name 'classpath-*.txt' ! -name "classpath-$key.txt" -delete
  cat "$file"
}

# A Kafka cluster id is a base64url UUID (22 chars); Kafka itself never starts one with '-'.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s' "$id"
}

probe() { node "$HERE/probe.mjs" "127.0.0.1:$PORT" 1500; }

up() {
  if owned_running "$NAME" "$PATTERN"; then
    log "kafka already running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    return 0
  fi
  require_port_free "$NAME" "$PORT"
  require_port_free "$NAME (controller)" "$CONTROLLER_PORT"
  ensure_java
  ensure_node
  local cp
  cp="$(classpath)"
  mkdir -p "$DATA/logs"
  render "$HERE/server.properties.template" "$CONF" "LOG_DIRS=$DATA/logs"

  local heap java_opts
  read -r -a heap <<<"$HEAP_OPTS"
  java_opts=(
    "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$HERE/log4j.properties"
    "-Dkafka.logs.dir=$LOG_DIR"
  )
  # The cluster id is generated once and kept with the data; storage is formatted once.
  [[ -s "$DATA/cluster-id" ]] || new_cluster_id >"$DATA/cluster-id"
  if [[ ! -f "$DATA/logs/meta.properties" ]]; then
    log "kafka: formatting storage (cluster id $(<"$DATA/cluster-id"))"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
      -t "$(<"$DATA/cluster-id")" -c "$CONF" --ignore-formatted >>"$STDOUT_LOG" 2>&1 \
      || die "kafka: formatting storage failed (log: $STDOUT_LOG)"
  fi

  log "kafka: starting (log: $LOGFILE)"
  spawn "$NAME" "$STDOUT_LOG" java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$CONF"
  wait_ready "$NAME" "$PATTERN" "$READY_TIMEOUT" "$LOGFILE" probe
  log "kafka ready on 127.0.0.1:$PORT (pid $(<"$PID_DIR/$NAME.pid"))"
}

down() {
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    log "kafka: stopping"
    stop_pid "$NAME" 60
  else
    log "kafka: not running"
  fi
  wait_port_closed "$NAME" "$PORT"
  wait_port_closed "$NAME" "$CONTROLLER_PORT"
}

status() {
  ensure_node
  if owned_running "$NAME" "$PATTERN" 2>/dev/null; then
    if probe >/dev/null 2>&1; then echo "kafka: running (pid $(<"$PID_DIR/$NAME.pid"), 127.0.0.1:$PORT)"
    else echo "kafka: starting or unhealthy (pid $(<"$PID_DIR/$NAME.pid"); log: $LOGFILE)"; return 1; fi
  else
    echo "kafka: stopped"; return 3
  fi
}

infra_main "$NAME" "$@"
