#!/bin/sh
# Builds the native library and its test with -fsanitize=address,undefined and runs ctest.
# Usage: native/sanitize.sh BUILD_DIR, where BUILD_DIR lies inside a target/ folder,
# for example java/core/target/native-sanitize.
set -eu

# shellcheck source=native/script-common.sh
. "$(dirname "$0")/script-common.sh"
gd_build_dir "$0" java/core/target/native-sanitize "$@"

source_dir=$(cd "$(dirname "$0")" && pwd)
gd_require_tool cmake cmake
gd_require_tool cc gcc

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DGRADDROP_SANITIZE=ON
cmake --build "$build_dir" --parallel 2
# Leak checks stay on; the pool threads live until exit by design and their scratch is reachable.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir "$build_dir" --output-on-failure
