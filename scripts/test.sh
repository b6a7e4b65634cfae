#!/usr/bin/env bash
# Runs the whole test suite. Maven runs the Java unit tests, the conformance suite on every backend
# (Java, the native library at each SIMD tier this CPU has, OpenCL) and the C tests through ctest.
# Then the C library runs under AddressSanitizer and UndefinedBehaviorSanitizer, its AArch64 build
# runs under qemu so that the NEON tier is checked, and the tool runs once with libOpenCL hidden.
#
# GRADDROP_REQUIRE_OPENCL=1 turns a missing OpenCL platform into a failure instead of a skip, and
# GRADDROP_REQUIRE_NEON=1 does the same for a missing AArch64 cross compiler or qemu.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
graddrop_require_jdk
echo "Testing with the JDK in $JAVA_HOME"

maven_args=(-B verify)
if [ "${GRADDROP_REQUIRE_OPENCL:-0}" = "1" ]; then
    maven_args+=(-Dgraddrop.opencl.tests.skip=false)
fi
mvn "${maven_args[@]}"

native/sanitize.sh "$root/java/core/target/native-sanitize"

native/check-neon.sh "$root/java/core/target/native-neon"

scripts/check-without-opencl.sh
