#!/bin/sh
# Configures, builds and tests the native library for Maven, then copies it into the classes
# folder under org/graddrop/native/<os>-<arch>/ so that it ships inside the jar.
# Usage: native/maven-build.sh BUILD_DIR CLASSES_DIR SKIP_TESTS
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 BUILD_DIR CLASSES_DIR SKIP_TESTS(true|false)" >&2
    exit 2
fi
build_dir=$1
classes_dir=$2
skip_tests=$3
source_dir=$(cd "$(dirname "$0")" && pwd)

if ! command -v cmake >/dev/null 2>&1; then
    echo "ERROR: cmake not found, and the native library needs it: install cmake (Debian/Ubuntu: apt-get install cmake)" >&2
    exit 1
fi
if ! command -v "${CC:-cc}" >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
    echo "ERROR: no C compiler found (cc or gcc), and the native library needs one: install gcc (Debian/Ubuntu: apt-get install gcc)" >&2
    exit 1
fi

case "$(uname -s)" in
    Linux) os=linux ;;
    *)
        echo "ERROR: the native library builds only on Linux, not on $(uname -s)" >&2
        exit 1
        ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *)
        echo "ERROR: the native library supports x86_64 and aarch64, not $(uname -m)" >&2
        exit 1
        ;;
esac

mkdir -p "$build_dir"
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >"$build_dir/configure.log" 2>&1 || {
    cat "$build_dir/configure.log" >&2
    echo "ERROR: cmake configure failed; the log is above" >&2
    exit 1
}
cmake --build "$build_dir" --parallel 2
if [ "$skip_tests" != "true" ]; then
    ctest --test-dir "$build_dir" --output-on-failure
fi

target="$classes_dir/org/graddrop/native/$os-$arch"
mkdir -p "$target"
cp "$build_dir/libgraddrop.so" "$target/libgraddrop.so"
echo "native library: $target/libgraddrop.so"
