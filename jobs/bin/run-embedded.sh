#!/usr/bin/env bash
# The embedded demo: builds the project (CPU build of ONNX Runtime), then runs the Kafka ingestion job with a
# real local Kafka broker (KRaft, 127.0.0.1) and a local Flink MiniCluster on the bundled sample corpus, with the
# MiniLM-based demo model (built once into ~/.cache/flink-llmlingua). Arguments go to the demo
# (io.flinkllmlingua.demo.DemoMain), e.g.
#   bash jobs/bin/run-embedded.sh --compare-engine
#   bash jobs/bin/run-embedded.sh --model /models/llmlingua-2-bert -Dllmlingua.rate=0.33
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -Pcpu install -DskipTests
exec java -cp "jobs/demo/target/classes:$(cat jobs/demo/target/classpath.txt)" io.flinkllmlingua.demo.DemoMain "$@"
