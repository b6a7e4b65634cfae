#!/bin/sh
# Builds the native library and its test with -fsanitize=address,undefined and runs ctest.
# Usage: native/sanitize.sh BUILD_DIR, where BUILD_DIR lies inside a target/ folder,
# for example java/core/target/native-sanitize.
set -eu

# shellcheck source=native/build-dir.sh
. "$(dirname "$0")/build-dir.sh"
gd_build_dir "$0" java/core/target/native-sanitize "$@"

source_dir=$(cd "$(dirname "$0")" && pwd)
for tool in cmake cc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        package=$([ "$tool" = cmake ] && echo cmake || echo gcc)
        echo "$tool not found: install it (Debian/Ubuntu: apt-get install $package)" >&2
        exit 1
    fi
done

cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DGRADDROP_SANITIZE=ON
cmake --build "$build_dir" --parallel 2
# Leak checks stay on; the pool threads live until exit by design and their scratch is reachable.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir "$build_dir" --output-on-failure
