#!/usr/bin/env bash
# The embedded demo (EmbeddedDefaultMain): builds the project (CPU build of ONNX Runtime), then runs the Kafka ingestion job with a
# real local Kafka broker (KRaft, 127.0.0.1) and a local Flink MiniCluster on the bundled sample corpus, with the
# MiniLM-based demo model (built once into ~/.cache/flink-llmlingua). Arguments go to the job, e.g.
#   bash jobs/bin/run-embedded.sh --compare-engine
#   bash jobs/bin/run-embedded.sh --records 20 --model /models/llmlingua-2-bert -Dllmlingua.rate=0.33
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -Pcpu install -DskipTests
mvn -B -q -Pcpu -pl jobs dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "jobs/target/classes:$(cat jobs/target/classpath.txt)" \
  io.flinkllmlingua.jobs.streaming.EmbeddedDefaultMain "$@"
