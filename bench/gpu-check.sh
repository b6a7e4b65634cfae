#!/usr/bin/env bash
# Checks the OpenCL backend on a machine with a GPU, in one short run:
#   1. builds java/core and runs the OpenCL tests pinned to the GPU (they fail, not skip,
#      when no OpenCL device works);
#   2. times DeviceSession.apply on device-resident tensors (K = 4, B = 16, D = 2^20) against the
#      device's own copy bandwidth (clEnqueueCopyBuffer) and a host MemorySegment.copy.
# Needs JDK 25 (JAVA_HOME), Maven with Maven Central or a filled local repository, and an OpenCL
# ICD for the GPU (for example the NVIDIA driver).
# Usage: bench/gpu-check.sh [device]   where device is an index or part of a device name; the
# default is the backend's own choice, the first GPU.
set -euo pipefail

cd "$(dirname "$0")/.."
device="${1:-}"
repetitions="${GRADDROP_CHECK_REPETITIONS:-7}"
device_option=()
if [[ -n "$device" ]]; then
  device_option=("-Dgraddrop.opencl.device=$device")
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export POCL_CACHE_DIR="$PWD/java/core/target/pocl-cache"

echo "== OpenCL devices"
if command -v clinfo >/dev/null; then
  clinfo -l || true
fi

echo "== Build and OpenCL tests"
# Only the opencl execution runs: the conformance suite and the opencl-tagged tests with
# graddrop.test.requireBackend=opencl. Surefire passes -D user properties on to the test JVM.
mvn -B -q -pl java/core -am install -DskipTests
mvn -B -pl java/core surefire:test@opencl \
  -Dgraddrop.opencl.tests.skip=false \
  ${device_option[@]+"${device_option[@]}"}

echo "== Device-resident throughput"
mvn -B -q -pl java/core dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
classpath="java/core/target/classes:java/core/target/test-classes:$(cat java/core/target/classpath.txt)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${device_option[@]+"${device_option[@]}"} \
  -cp "$classpath" org.graddrop.opencl.ThroughputMain "$repetitions"

echo "== Done. Compare 'DeviceSession.apply' GB/s with 'device copy' GB/s; on a GPU the target is at least 70%."
