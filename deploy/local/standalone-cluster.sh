#!/usr/bin/env bash
# A standalone Flink session cluster on this machine, as processes started from Maven jars (flink-dist is not on
# Maven Central): one JobManager and TaskManagers, all bound to 127.0.0.1, logs and pid files under a work dir.
#
#   deploy/local/standalone-cluster.sh start [N]          JobManager + N TaskManagers (default 1); waits until ready
#   deploy/local/standalone-cluster.sh start-taskmanager  one more TaskManager (prints its name)
#   deploy/local/standalone-cluster.sh kill-taskmanager NAME   SIGKILL, as a crash would (fault drills)
#   deploy/local/standalone-cluster.sh status             processes and the REST overview
#   deploy/local/standalone-cluster.sh stop               every process of the work dir (SIGTERM, then SIGKILL)
#
# Environment: CLUSTER_LIB (jars; default deploy/cluster-lib/target/cluster-lib, built by
# `mvn -Pcpu package -pl deploy/cluster-lib`), WORK_DIR (default deploy/local/.cluster), REST_PORT (8081),
# JM_RPC_PORT (6123), SLOTS (2 per TaskManager), TM_MEMORY (1280m), JM_MEMORY (1024m), JAVA (java).
# Jobs are submitted over REST: the web UI, `flink run -m 127.0.0.1:8081`, or /jars/upload + /jars/:id/run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER_LIB=${CLUSTER_LIB:-$ROOT/deploy/cluster-lib/target/cluster-lib}
WORK_DIR=${WORK_DIR:-$ROOT/deploy/local/.cluster}
REST_PORT=${REST_PORT:-8081}
JM_RPC_PORT=${JM_RPC_PORT:-6123}
SLOTS=${SLOTS:-2}
TM_MEMORY=${TM_MEMORY:-1280m}
JM_MEMORY=${JM_MEMORY:-1024m}
JAVA=${JAVA:-java}
CONF="$WORK_DIR/conf"
# ONNX Runtime 1.29's telemetry crashes JVMs with long command lines; we pin 1.28, and switch it off anyway.
export ORT_DISABLE_TELEMETRY=1
# Plugins (e.g. flink-metrics-prometheus in plugins/metrics-prometheus/) go into <work dir>/plugins.
export FLINK_PLUGINS_DIR=$WORK_DIR/plugins

# What flink-dist's scripts pass to every Flink JVM on Java 17.
ADD_OPENS=()
for p in java.lang java.util java.lang.reflect java.util.concurrent java.nio sun.nio.ch java.net java.io java.text \
         java.time java.util.concurrent.atomic java.util.concurrent.locks; do
  ADD_OPENS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done

die() { echo "standalone-cluster: $*" >&2; exit 1; }

classpath() {
  [ -d "$CLUSTER_LIB" ] || die "no $CLUSTER_LIB: build it with mvn -B -Pcpu package -pl deploy/cluster-lib"
  local cp
  cp=$(find "$CLUSTER_LIB" -maxdepth 1 -name '*.jar' | sort | tr '\n' ':')
  [ -n "$cp" ] || die "no jars in $CLUSTER_LIB"
  echo "${cp%:}"
}

write_conf() {
  mkdir -p "$CONF" "$FLINK_PLUGINS_DIR" "$WORK_DIR/log" "$WORK_DIR/pids" "$WORK_DIR/tmp" "$WORK_DIR/web-upload"
  sed -e "s|@WORK_DIR@|$WORK_DIR|g" -e "s|@REST_PORT@|$REST_PORT|g" -e "s|@JM_RPC_PORT@|$JM_RPC_PORT|g" \
      -e "s|@SLOTS@|$SLOTS|g" -e "s|@TM_MEMORY@|$TM_MEMORY|g" -e "s|@JM_MEMORY@|$JM_MEMORY|g" \
      "$ROOT/deploy/local/conf/config.yaml.template" > "$CONF/config.yaml"
  cp "$ROOT/deploy/local/conf/log4j.properties" "$CONF/log4j.properties"
}

# BashJavaUtils prints the JVM memory flags and the -D options derived from the configuration, as flink-dist does.
resource_params() {
  local cmd=$1 out
  out=$("$JAVA" "${ADD_OPENS[@]}" -cp "$CP" org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$CONF" 2>&1) \
    || die "BashJavaUtils $cmd failed: $out"
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_process() { # name main-class jvm-flags dynamic-options
  local name=$1 main=$2 jvm=$3 dyn=$4 pidfile="$WORK_DIR/pids/$1.pid"
  alive "$pidfile" && die "$name already runs (pid $(cat "$pidfile"))"
  # shellcheck disable=SC2086 # the flags are word lists
  nohup "$JAVA" "${ADD_OPENS[@]}" $jvm -Dlog.file="$WORK_DIR/log/$name.log" \
      -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$CP" "$main" --configDir "$CONF" $dyn \
      > "$WORK_DIR/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "$name started (pid $!, log $WORK_DIR/log/$name.log)"
}

start_jobmanager() {
  local params jvm dyn
  params=$(resource_params GET_JM_RESOURCE_PARAMS)
  jvm=$(echo "$params" | sed -n 1p); dyn=$(echo "$params" | sed -n 2p)
  start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$jvm" "$dyn"
}

next_tm_name() {
  local i=1
  while [ -e "$WORK_DIR/pids/taskmanager-$i.pid" ]; do i=$((i + 1)); done
  echo "taskmanager-$i"
}

start_taskmanager() {
  local name params jvm dyn
  name=$(next_tm_name)
  params=$(resource_params GET_TM_RESOURCE_PARAMS)
  jvm=$(echo "$params" | sed -n 1p); dyn=$(echo "$params" | sed -n 2p)
  # A fixed resource id names the TaskManager in the REST API (/taskmanagers) after its pid file.
  start_process "$name" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$jvm" "$dyn -D taskmanager.resource-id=$name"
}

rest() { curl -fsS --max-time 5 "http://127.0.0.1:$REST_PORT$1"; }

wait_ready() { # expected number of TaskManagers
  local want=$1 deadline=$((SECONDS + ${START_TIMEOUT:-120})) got
  while [ $SECONDS -lt $deadline ]; do
    got=$(rest /overview 2>/dev/null | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p' || true)
    if [ -n "$got" ] && [ "$got" -ge "$want" ]; then
      echo "ready: http://127.0.0.1:$REST_PORT ($got TaskManagers)"
      return 0
    fi
    alive "$WORK_DIR/pids/jobmanager.pid" || die "the JobManager exited; see $WORK_DIR/log/jobmanager.{log,out}"
    sleep 0.5
  done
  die "not ready after ${START_TIMEOUT:-120} s; see $WORK_DIR/log"
}

stop_all() {
  local f pid
  for f in "$WORK_DIR"/pids/taskmanager-*.pid "$WORK_DIR"/pids/jobmanager.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      echo "$(basename "$f" .pid) stopped (pid $pid)"
    fi
    rm -f "$f"
  done
}

status() {
  local f
  for f in "$WORK_DIR"/pids/*.pid; do
    [ -f "$f" ] || continue
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): dead"; fi
  done
  rest /overview 2>/dev/null && echo || echo "REST http://127.0.0.1:$REST_PORT not answering"
}

case "${1:-}" in
  start)
    n=${2:-1}
    CP=$(classpath); write_conf
    start_jobmanager
    for _ in $(seq 1 "$n"); do start_taskmanager; done
    wait_ready "$n"
    ;;
  start-taskmanager)
    CP=$(classpath); [ -f "$CONF/config.yaml" ] || die "start the cluster first"
    start_taskmanager
    ;;
  kill-taskmanager)
    f="$WORK_DIR/pids/${2:?name, e.g. taskmanager-1}.pid"
    alive "$f" || die "${2} is not running"
    kill -KILL "$(cat "$f")"; echo "${2} killed (pid $(cat "$f"))"
    ;;
  status) status ;;
  stop) stop_all ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
