#!/bin/sh
# Cross-builds the native library and its test for AArch64 and runs ctest under qemu-aarch64, so
# that the NEON tier is compiled and checked bit for bit against the scalar tier on an x86 machine.
# Usage: native/check-neon.sh BUILD_DIR, where BUILD_DIR lies inside a target/ folder.
#
# Without the cross compiler or qemu the check is skipped with a message, unless
# GRADDROP_REQUIRE_NEON=1, which turns the skip into a failure.
set -eu

# shellcheck source=native/script-common.sh
. "$(dirname "$0")/script-common.sh"
gd_build_dir "$0" java/core/target/native-neon "$@"

compiler=aarch64-linux-gnu-gcc
emulator=qemu-aarch64
sysroot=/usr/aarch64-linux-gnu
gd_require_tool cmake cmake
missing=""
command -v "$compiler" >/dev/null 2>&1 || missing="$missing $compiler"
command -v "$emulator" >/dev/null 2>&1 || missing="$missing $emulator"
[ -d "$sysroot/lib" ] || missing="$missing $sysroot/lib"
if [ -n "$missing" ]; then
    message="NEON check skipped: not found:$missing (Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)"
    if [ "${GRADDROP_REQUIRE_NEON:-0}" = "1" ]; then
        echo "$message; GRADDROP_REQUIRE_NEON=1 makes this a failure" >&2
        exit 1
    fi
    echo "$message" >&2
    exit 0
fi

source_dir=$(cd "$(dirname "$0")" && pwd)
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_SYSTEM_NAME=Linux \
    -DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_C_COMPILER="$compiler" \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=$emulator;-L;$sysroot" >/dev/null
cmake --build "$build_dir" --parallel 2 >/dev/null

log="$build_dir/ctest.log"
(cd "$build_dir" && ctest --output-on-failure -V) > "$log" 2>&1 || {
    cat "$log" >&2
    echo "NEON check failed; see $log" >&2
    exit 1
}

# The test compares every tier with scalar itself. These lines prove that the NEON tier was the one run.
if ! grep -q "active tier: neon" "$log" || ! grep -q "neon digest" "$log"; then
    cat "$log" >&2
    echo "NEON check failed: the test did not run the NEON tier; see $log" >&2
    exit 1
fi
grep -E "active tier|digest|all checks passed" "$log" | sed 's/^[0-9]*: //'
echo "check-neon: passed (AArch64 build under $emulator, NEON tier equal to scalar)"
