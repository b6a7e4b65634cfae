#!/usr/bin/env bash
# Runs the GradDrop benchmarks on every available backend, the streaming baseline and the PyTorch
# peer, then writes docs/benchmarks.md and docs/benchmarks.svg from the results.
#
#   bench/run.sh            quick profile: K = 4, four sizes, 2 + 5 iterations of 1 s (about 12 minutes)
#   bench/run.sh --full     K = 2, 4, 8, every size from 4 Ki to 64 Mi floats, longer iterations
#
# Options:
#   --backends LIST   comma-separated backends to run (default: every available one)
#   --tiers LIST      native SIMD tiers to cap at (default: every tier this CPU has; "best" for none)
#   --devices LIST    OpenCL devices (default: "default", the backend's own choice)
#   --no-torch        skip the PyTorch peer comparison
#   --no-build        reuse bench/target/graddrop-bench.jar instead of building it
#   --results DIR     where the raw JMH and PyTorch JSON go (default: bench/target/results)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

COMMAND="bench/run.sh${*:+ $*}"
PROFILE=quick
BACKENDS=""
TIERS=""
DEVICES="default"
TORCH=yes
BUILD=yes
RESULTS="bench/target/results"

while [ $# -gt 0 ]; do
  case "$1" in
    --full) PROFILE=full ;;
    --backends) BACKENDS="$2"; shift ;;
    --tiers) TIERS="$2"; shift ;;
    --devices) DEVICES="$2"; shift ;;
    --no-torch) TORCH=no ;;
    --no-build) BUILD=no ;;
    --results) RESULTS="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1'; see bench/run.sh --help" >&2; exit 2 ;;
  esac
  shift
done

if [ "$PROFILE" = full ]; then
  TASKS="2,4,8"
  ELEMENTS="4096,16384,65536,262144,1048576,4194304,16777216,67108864"
  JMH_TIMING=(-wi 3 -w 1s -i 5 -r 1s -f 1)
  TORCH_SECONDS=2
else
  TASKS="4"
  ELEMENTS="4096,65536,1048576,16777216"
  JMH_TIMING=(-wi 2 -w 1s -i 5 -r 1s -f 1)
  TORCH_SECONDS=1
fi
LAYOUTS="batched,unbatched"

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
JAR=bench/target/graddrop-bench.jar

if [ "$BUILD" = yes ] || [ ! -f "$JAR" ]; then
  echo "Building $JAR" >&2
  mvn -B -q -pl bench -am package -DskipTests
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: > "$RESULTS/commands.txt"
# Other processes skew every figure, so the page records the load around the run.
cat /proc/loadavg > "$RESULTS/loadavg-start.txt" 2>/dev/null || true
# The commit under test, before this run rewrites the page.
if COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null)"; then
  if [ -n "$(git status --porcelain -- . ':!docs/benchmarks.md' ':!docs/benchmarks.svg')" ]; then
    COMMIT="$COMMIT with uncommitted changes"
  fi
  echo "$COMMIT" > "$RESULTS/commit.txt"
fi

# Backends: the requested ones, or every one the probe reports available.
AVAILABLE="$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" org.graddrop.bench.AvailableBackends 2>/dev/null)"
printf '%s\n' "$AVAILABLE" > "$RESULTS/backends.tsv"
if [ -z "$BACKENDS" ]; then
  BACKENDS="$(printf '%s\n' "$AVAILABLE" | awk -F'\t' '$2 == "available" {print $1}' | paste -sd, -)"
fi
echo "Backends: $BACKENDS ($PROFILE profile)" >&2

# Native tiers: every tier this CPU reports, from the portable scalar path up.
if [ -z "$TIERS" ]; then
  case "$(uname -m)" in
    x86_64)
      TIERS="scalar,sse2"
      grep -qw avx2 /proc/cpuinfo && TIERS="$TIERS,avx2"
      grep -qw avx512f /proc/cpuinfo && TIERS="$TIERS,avx512"
      ;;
    aarch64) TIERS="scalar,neon" ;;
    *) TIERS="best" ;;
  esac
fi

run_jmh() {
  local name="$1"
  shift
  local command=("$JAVA" -jar "$JAR" "$@" "${JMH_TIMING[@]}" -rf json -rff "$RESULTS/jmh-$name.json")
  echo "${command[*]}" >> "$RESULTS/commands.txt"
  echo "Running $name" >&2
  if ! "${command[@]}" > "$RESULTS/jmh-$name.log" 2>&1; then
    echo "run.sh: JMH run $name failed; see $RESULTS/jmh-$name.log" >&2
  fi
  if grep -q '<failure>' "$RESULTS/jmh-$name.log"; then
    echo "run.sh: some $name trials failed and have no result; see $RESULTS/jmh-$name.log" >&2
  fi
}

SHAPE=(-p "tasks=$TASKS" -p "elements=$ELEMENTS" -p "layout=$LAYOUTS")
# The machine's bandwidth drifts over minutes, so the copy runs on both sides of the backends.
run_jmh baseline-before 'StreamingBaseline' "${SHAPE[@]}"
IFS=, read -r -a BACKEND_LIST <<< "$BACKENDS"
for backend in "${BACKEND_LIST[@]}"; do
  case "$backend" in
    native) run_jmh native 'GradDropThroughput' -p backend=native -p "tier=$TIERS" "${SHAPE[@]}" ;;
    opencl)
      run_jmh opencl 'GradDropThroughput' -p backend=opencl -p "device=$DEVICES" "${SHAPE[@]}"
      if "$JAVA" -jar "$JAR" -l 2>/dev/null | grep -q 'OpenClResident'; then
        run_jmh opencl-resident 'OpenClResident' -p "device=$DEVICES" "${SHAPE[@]}"
      else
        echo "run.sh: this jar has no device-resident OpenCL benchmark (rebuild it with mvn -pl bench -am package)" >&2
      fi
      ;;
    *) run_jmh "$backend" 'GradDropThroughput' -p "backend=$backend" "${SHAPE[@]}" ;;
  esac
done
run_jmh baseline-after 'StreamingBaseline' "${SHAPE[@]}"
# Tiny calls are short, so the overhead run affords more iterations than the throughput runs.
JMH_TIMING_SAVED=("${JMH_TIMING[@]}")
JMH_TIMING=(-wi 3 -w 500ms -i 5 -r 500ms -f 1)
run_jmh overhead 'CallOverhead' -p "backend=$BACKENDS"
JMH_TIMING=("${JMH_TIMING_SAVED[@]}")

if [ "$TORCH" = yes ]; then
  echo "Running the PyTorch peer" >&2
  torch_command=("$PYTHON" bench/peer_torch.py --tasks "$TASKS" --elements "$ELEMENTS" --layouts "$LAYOUTS"
                 --seconds "$TORCH_SECONDS" --out "$RESULTS/torch.json")
  echo "${torch_command[*]}" >> "$RESULTS/commands.txt"
  "${torch_command[@]}"
fi

"$PYTHON" bench/report.py --results "$RESULTS" --profile "$PROFILE" --command "$COMMAND" \
  --markdown docs/benchmarks.md --svg docs/benchmarks.svg
echo "Wrote docs/benchmarks.md and docs/benchmarks.svg" >&2
