#!/usr/bin/env bash
# OFREP bulk evaluation benchmark: a Sluice daemon (the runnable jar) with the flag set of the JMH
# flag benchmark (sluice-bench/src/main/resources/flag-bench.json), loaded with wrk on loopback.
#
# Three kinds of run, in interleaved rounds:
#   bulk  POST /ofrep/v1/evaluate/flags with a context (a different user per request, cycling
#         through USERS users; the body is built by wrk's Lua per request) and a client token:
#         200 with every flag evaluated
#   one   the same request for one user every time (a fixed body): 200
#   304   that request with If-None-Match set to the ETag of its answer: the server evaluates,
#         finds the answer unchanged and answers 304 with no body
#
# Installs nothing. Needs wrk and curl (Debian: apt-get install -y wrk curl), a JDK >= 21 (found
# through $JAVA, $JAVA_HOME or the Debian JVM directory) and Maven to build sluice-cli/target/
# sluice.jar (set SKIP_BUILD=1 to reuse it).
#
# Usage (from the repository root):  bash sluice-bench/ofrep-bench.sh
# Knobs (environment): ROUNDS=3 DURATION=10 WARMUP=20 CONNECTIONS=32 THREADS=2 USERS=1024
#                      PORT=19190 JAVA_OPTS="..." SKIP_BUILD=0 JAR=<sluice.jar>
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
USERS=${USERS:-1024}
PORT=${PORT:-19190}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m"}
SKIP_BUILD=${SKIP_BUILD:-0}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
flags="$here/src/main/resources/flag-bench.json"

for tool in wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool (apt-get install -y $tool)" >&2; exit 2; }
done

# shellcheck source=java.sh
. "$here/java.sh"
JAVA_BIN=$(pick_java)

jar=${JAR:-"$root/sluice-cli/target/sluice.jar"}
if [ "$SKIP_BUILD" != 1 ] && [ -z "${JAR:-}" ]; then
  (cd "$root" && mvn -q -B -Dstyle.color=never -pl sluice-cli -am -DskipTests -Dfuzz.skip package)
fi
[ -f "$jar" ] || { echo "no $jar: build it first" >&2; exit 2; }

work=$(mktemp -d)
daemon_pid=0
cleanup() {
  if [ "$daemon_pid" != 0 ]; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

sluice() { "$JAVA_BIN" -jar "$jar" "$@" --state-dir "$work/state"; }

# ---- the daemon, the flags and a client token ---------------------------------------------
# The spec's app is never deployed: the daemon serves flags only.
cat > "$work/sluice.yaml" <<'YAML'
apps:
  - name: bench
    listen: 127.0.0.1:0
    runtime: {process: {command: [app, "${version}"]}}
YAML
# shellcheck disable=SC2086
"$JAVA_BIN" $JAVA_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$jar" up \
  -f "$work/sluice.yaml" --state-dir "$work/state" --api-listen "127.0.0.1:$PORT" \
  >"$work/daemon.out" 2>"$work/daemon.err" &
daemon_pid=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$base/healthz" && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.err" >&2; exit 1; }
  sleep 0.2
done
curl -fs -o /dev/null "$base/healthz" || { echo "the daemon did not answer on $base" >&2; exit 1; }

sluice flags import "$flags" >/dev/null
token=$(sluice token create ofrep-bench --role client 2>/dev/null)
[ -n "$token" ] || { echo "no client token" >&2; exit 1; }

# ---- the requests -------------------------------------------------------------------------
# One user's context, as BenchFlags builds them for the JMH benchmark.
context() {
  local i=$1 domain=example.com plans=(free pro team enterprise trial)
  [ $((i % 3)) = 0 ] && domain=example.org
  printf '{"context":{"targetingKey":"user-%d","email":"user%d@%s","plan":"%s"}}' \
    "$i" "$i" "$domain" "${plans[$((i % 5))]}"
}

cat > "$work/bulk.lua" <<LUA
-- A bulk evaluation per request, for the next of $USERS users.
local users = $USERS
local plans = {"free", "pro", "team", "enterprise", "trial"}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
function setup(thread)
  thread:set("first", n)
  n = n + 1
end
function init(args)
  n = first
end
request = function()
  local i = n % users
  n = n + 1
  local domain = (i % 3 == 0) and "example.org" or "example.com"
  local body = string.format(
    '{"context":{"targetingKey":"user-%d","email":"user%d@%s","plan":"%s"}}',
    i, i, domain, plans[(i % 5) + 1])
  return wrk.format(nil, nil, nil, body)
end
LUA

body42=$(context 42)
answer=$(curl -fs -D "$work/headers" -X POST "$base/ofrep/v1/evaluate/flags" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body42")
etag=$(awk 'tolower($1) == "etag:" {print $2}' "$work/headers" | tr -d '\r')
[ -n "$etag" ] || { echo "no ETag in the bulk answer" >&2; exit 1; }
echo "bulk answer for user-42: $answer"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/ofrep/v1/evaluate/flags" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -H "If-None-Match: $etag" -d "$body42")
[ "$status" = 304 ] || { echo "If-None-Match: $etag gave $status, not 304" >&2; exit 1; }

cat > "$work/one.lua" <<LUA
-- The same bulk evaluation every time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '$body42'
LUA

cat > "$work/notmodified.lua" <<LUA
-- The same bulk evaluation every time, with the ETag of its answer.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["If-None-Match"] = '$etag'
wrk.body = '$body42'
LUA

# ---- the runs -----------------------------------------------------------------------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
hz=$(getconf CLK_TCK)

run() { # kind script seconds
  local kind=$1 script=$2 seconds=$3 before after
  before=$(cpu_ticks)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$script" "$base/ofrep/v1/evaluate/flags" \
    >"$work/wrk.out" 2>&1
  after=$(cpu_ticks)
  awk -v kind="$kind" -v cpu=$(( (after - before) )) -v hz="$hz" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
    /Requests\/sec/ {rps = $2}
    /^ +50%/ {p50 = $2}
    /^ +90%/ {p90 = $2}
    /^ +99%/ {p99 = $2}
    /requests in/ {n = $1}
    /Non-2xx or 3xx/ {bad += $NF}
    /Socket errors/ {gsub(",", ""); bad += $4 + $6 + $8 + $10}
    END {
      printf "%-5s %10.0f %8s %8s %8s %9d %6d %10.1f   %s\n", kind, rps, p50, p90, p99, n, bad,
        (n > 0 ? cpu / hz * 1e6 / n : 0), load
    }' "$work/wrk.out"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; daemon: $JAVA_BIN $JAVA_OPTS; $(nproc) cores"
run warm "$work/bulk.lua" "$WARMUP" >/dev/null
run warm "$work/one.lua" "$((WARMUP / 2))" >/dev/null
run warm "$work/notmodified.lua" "$((WARMUP / 2))" >/dev/null
printf '%-5s %-5s %10s %8s %8s %8s %9s %6s %10s   %s\n' \
  round kind 'req/s' p50 p90 p99 requests errors 'CPU us/req' 'load (1, 5, 15 min)'
for r in $(seq 1 "$ROUNDS"); do
  printf '%-5s ' "$r"; run bulk "$work/bulk.lua" "$DURATION"
  printf '%-5s ' "$r"; run one "$work/one.lua" "$DURATION"
  printf '%-5s ' "$r"; run 304 "$work/notmodified.lua" "$DURATION"
done
