#!/usr/bin/env bash
# Soak test: the built daemon (sluice up) under steady load for a long time, with a release every
# minute (alternately a good version, promoted, and a bad one, rolled back by analysis), replica
# processes killed with SIGKILL at random, and the daemon's RSS sampled every 10 s. Prints the
# totals (requests, failed requests by kind, releases, promotions, rollbacks, kills, RSS) and the
# RSS series, and exits 1 when a request failed unexpectedly or a release did not end as expected.
#
# Installs nothing. Needs a JDK >= 21 (found through $JAVA, $JAVA_HOME or the Debian JVM
# directory) and Maven to build the jars (set SKIP_BUILD=1 to reuse sluice-cli/target/sluice.jar
# and sluice-bench/target/sluice-bench-router.jar).
#
# Usage (from the repository root):  bash sluice-bench/soak.sh [options]
# Options (all optional; durations like 30m, 45s, 500ms):
#   --duration 30m        load time; a release starts every --release-every within it
#   --release-every 1m    at least 40s (a canary takes about 30 s)
#   --kill-every 20s      mean time between replica kills (uniform in 0.5x..1.5x); 0s: none
#   --rate 200            requests per second in all, shared by the clients
#   --concurrency 8       clients, each with one request in flight at most
#   --bad slow            a bad version answers --bad-latency late (default 200ms) and never
#                         fails a request; --bad errors: it fails half its requests with 500,
#                         counted apart as failures by design
#   --seed N              the kills' random seed (printed at the start)
#   --out DIR             where rss.csv and report.md go (default sluice-bench/target/soak)
#   --daemon-jvm-option O an extra JVM option of the daemon (repeatable)
# Environment: SKIP_BUILD=1 (above); NATIVE_TUNING=0 starts the daemon without the launcher's
# native-memory settings (MALLOC_MMAP_THRESHOLD_, -XX:TrimNativeHeapInterval); the daemon inherits
# this environment, so e.g. MALLOC_ARENA_MAX=2 in front of the command reaches it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

# shellcheck source=java.sh
. "$here/java.sh"
JAVA_BIN=$(pick_java)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building sluice.jar and the bench jar..." >&2
  mvn -q -pl sluice-bench -am -DskipTests -Dfuzz.skip package
fi

# The daemon gets the native-memory settings of the ./sluice launcher (a fixed glibc mmap
# threshold, inherited from this environment, and -XX:TrimNativeHeapInterval=5000), so the soak
# measures what users run; NATIVE_TUNING=0 leaves both out, for a run as before them.
tuning=()
if [ "${NATIVE_TUNING:-1}" != 0 ]; then
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
  tuning=(--daemon-jvm-option -XX:+UnlockExperimentalVMOptions
    --daemon-jvm-option -XX:TrimNativeHeapInterval=5000)
fi

# The soak driver runs on the same JDK as the daemon and the replicas it starts.
exec "$JAVA_BIN" --enable-native-access=ALL-UNNAMED -Xmx512m \
  -cp sluice-bench/target/sluice-bench-router.jar dev.sluice.bench.soak.Soak \
  --jar sluice-cli/target/sluice.jar ${tuning[@]+"${tuning[@]}"} "$@"
