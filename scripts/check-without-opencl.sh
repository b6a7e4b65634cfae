#!/usr/bin/env bash
# Checks the tool on a machine without an OpenCL ICD loader: inside a private mount namespace,
# every libOpenCL file is hidden behind /dev/null, so JOCL cannot load it. The probe must name what
# to install, the automatic choice must still run, and a pinned OpenCL backend must exit with 2.
#
# Needs root and unshare(1); without them it says so and exits 0 without checking anything.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/java/cli/target/graddrop-cli.jar"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25 or newer}/bin/java"

if [ "$(id -u)" != "0" ] || ! command -v unshare >/dev/null 2>&1; then
    echo "check-without-opencl: skipped, it needs root and unshare to hide libOpenCL"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$JAVA_HOME/bin/jar" xf "$jar" org/graddrop/demo/digits-step0100-b64-parameter-gradients.npy)
mv "$work/org/graddrop/demo/digits-step0100-b64-parameter-gradients.npy" "$work/gradients.npy"

# Runs the jar with libOpenCL hidden; prints standard output and error, then the exit code.
without_opencl() {
    unshare --mount bash -c '
        for library in /usr/lib/*/libOpenCL.so* /lib/*/libOpenCL.so* /usr/lib/libOpenCL.so*; do
            if [ -e "$library" ]; then mount --bind /dev/null "$library"; fi
        done
        "$0" -jar "$1" "${@:2}" 2>&1
        echo "exit $?"' "$java" "$jar" "$@"
}

fail() {
    echo "check-without-opencl: FAILED: $1" >&2
    exit 1
}

probe="$(without_opencl probe)"
grep -q "install ocl-icd-libopencl1" <<<"$probe" || fail "the probe does not say what to install: $probe"
grep -q "^exit 0$" <<<"$probe" || fail "the probe did not exit 0: $probe"

automatic="$(without_opencl apply --gradients "$work/gradients.npy" --output "$work/auto.npy" --preset torchjd)"
grep -q "^exit 0$" <<<"$automatic" || fail "the automatic choice failed without OpenCL: $automatic"
[ -f "$work/auto.npy" ] || fail "the automatic choice wrote no output"

pinned="$(without_opencl apply --gradients "$work/gradients.npy" --output "$work/pinned.npy" --preset torchjd --backend opencl)"
grep -q "^exit 2$" <<<"$pinned" || fail "a pinned OpenCL backend did not exit 2: $pinned"
grep -q "backend 'opencl' is unavailable" <<<"$pinned" || fail "the pinned failure does not name the backend: $pinned"
[ ! -e "$work/pinned.npy" ] || fail "a failed call left an output file"

echo "check-without-opencl: passed (probe hint, automatic fallback, pinned failure with exit 2)"
