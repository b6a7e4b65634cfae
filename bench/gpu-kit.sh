#!/usr/bin/env bash
# Prepares bench/target/gpu-kit: everything the GPU check needs on a machine that has a GPU but no
# JDK, no Maven and no network. It contains a trimmed Java runtime made with jlink, the library and
# its test classes, JOCL and SLF4J, the JUnit console launcher, and run.sh. Copy the folder to the
# GPU machine (it stays under 64 MiB) and run `bash gpu-kit/run.sh [device]` there.
#
# Needs what the build needs (JDK 25, Maven with access to Maven Central or a filled local
# repository, CMake, a C compiler).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
graddrop_require_jdk

console_version=1.14.4
kit=bench/target/gpu-kit
rm -rf "$kit"
mkdir -p "$kit/lib"

echo "Building the library and its tests" >&2
mvn -B -q -pl java/core -am install -DskipTests
mvn -B -q -pl java/core test-compile
# The console launcher brings JUnit itself, so only the other test dependencies are copied.
mvn -B -q -pl java/core dependency:copy-dependencies -DincludeScope=test \
  -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
  -DoutputDirectory="$root/$kit/lib"
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$console_version" \
  -DoutputDirectory="$root/$kit"
cp -r java/core/target/classes "$kit/classes"
cp -r java/core/target/test-classes "$kit/test-classes"
cp bench/gpu-kit-run.sh "$kit/run.sh"

echo "Linking a Java runtime" >&2
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$kit/jre"

du -sh "$kit"
echo "Wrote $kit; run it with: bash $kit/run.sh [device]" >&2
