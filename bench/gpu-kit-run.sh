#!/usr/bin/env bash
# The GPU check, run from the folder that bench/gpu-kit.sh prepared, in one short run:
#   1. the conformance suite and the OpenCL tests, with the OpenCL backend required, so that they
#      fail rather than skip when no device works;
#   2. ThroughputMain: GradDrop on device-resident tensors (K = 4, 16 Mi floats, B = 16 and B = 1)
#      against the device's own copy bandwidth (clEnqueueCopyBuffer). The target on a GPU is 70%.
# Usage: bash run.sh [device]   where device is an index or part of a device name; the default is
# the backend's own choice, the first GPU.
set -uo pipefail

kit="$(cd "$(dirname "$0")" && pwd)"
java="$kit/jre/bin/java"
device_option=()
if [ $# -gt 0 ]; then
  device_option=("-Dgraddrop.opencl.device=$1")
fi

# CUDA installs ship the OpenCL ICD loader beside the runtime. The driver's ICD file may be missing
# in a container, so then one is written that names the driver's OpenCL library.
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  if [ -e "$dir/libOpenCL.so.1" ]; then
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
done
if ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  vendors="$(mktemp -d)"
  echo "libnvidia-opencl.so.1" > "$vendors/nvidia.icd"
  export OCL_ICD_VENDORS="$vendors"
  echo "no ICD files in /etc/OpenCL/vendors; using $vendors/nvidia.icd (libnvidia-opencl.so.1)"
fi

# The JUnit console does not expand a '*' in its class path, so every jar is named.
classpath="$kit/classes:$kit/test-classes"
for jar in "$kit"/lib/*.jar; do
  classpath="$classpath:$jar"
done
status=0

echo "== OpenCL tests"
# The launcher runs from the class path, not with -jar, so that tests which start a child JVM with
# java.class.path give it the test classes too.
console=("$kit"/junit-platform-console-standalone-*.jar)
"$java" --enable-native-access=ALL-UNNAMED -Dgraddrop.test.backend=opencl -Dgraddrop.test.requireBackend=opencl \
  ${device_option[@]+"${device_option[@]}"} -cp "$classpath:${console[0]}" \
  org.junit.platform.console.ConsoleLauncher execute --scan-class-path "$kit/test-classes" \
  --include-tag "conformance | opencl" --details summary --disable-banner || status=1

echo "== Device-resident throughput"
for batch in 16 1; do
  "$java" --enable-native-access=ALL-UNNAMED ${device_option[@]+"${device_option[@]}"} -cp "$classpath" \
    org.graddrop.opencl.ThroughputMain 7 "$batch" || status=1
done

echo "== Done (status $status). Compare 'DeviceSession.apply' GB/s with 'device copy' GB/s; on a GPU the target is at least 70%."
exit "$status"
