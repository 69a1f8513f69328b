#!/usr/bin/env bash
# Runs the Kafka ingestion job on a local Flink (MiniCluster in this JVM) against an existing Kafka, with
# deploy/local/job.properties (or the file given with CONFIG=...). It keeps streaming until stopped (Ctrl-C).
# Extra arguments go to the job, e.g. --bootstrap-servers broker:9092 --model /models/x -p 2
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${CONFIG:-deploy/local/job.properties}
mvn -B -q -Pcpu install -DskipTests
exec java -cp "jobs/jobs/target/classes:$(cat jobs/jobs/target/classpath.txt)" \
  io.flinkllmlingua.jobs.streaming.CompressionJobMain --config "$CONFIG" "$@"
