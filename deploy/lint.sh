#!/usr/bin/env bash
# Lints what can be linted without a Docker engine or a Kubernetes cluster:
# - deploy/docker/Dockerfile with dockerfile-utils (npm, the linter of the Dockerfile language server);
# - the YAML of deploy/ with yamllint (apt: yamllint).
# Field names, Flink configuration keys, versions and job arguments are checked by DeploymentFilesTest (mvn test).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKERFILE_UTILS_VERSION=0.16.3
command -v yamllint >/dev/null || { echo "lint: yamllint missing (apt-get install yamllint)" >&2; exit 1; }
command -v npx >/dev/null || { echo "lint: npx missing (apt-get install npm)" >&2; exit 1; }
yamllint -c deploy/.yamllint deploy/kubernetes
npx --yes "dockerfile-utils@${DOCKERFILE_UTILS_VERSION}" lint deploy/docker/Dockerfile
echo "lint: deploy/ ok"
