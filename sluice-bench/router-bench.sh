#!/usr/bin/env bash
# Router benchmark: the Sluice router against nginx and HAProxy as reverse proxies in front of
# the same upstream (an nginx serving a small static file), all on loopback, measured with wrk
# in interleaved rounds.
#
# Installs nothing. Needs nginx, haproxy and wrk (Debian: apt-get install -y nginx haproxy wrk),
# a JDK >= 21 (found through $JAVA, $JAVA_HOME or the Debian JVM directory) and Maven to build
# the router jar (set SKIP_BUILD=1 to reuse sluice-bench/target/sluice-bench-router.jar).
#
# Usage (from the repository root):  bash sluice-bench/router-bench.sh
#                                     MODE=rules bash sluice-bench/router-bench.sh
# Knobs (environment): MODE=plain|rules
#                      PROXIES="nginx haproxy sluice" ROUNDS=5 DURATION=10 WARMUP=30 CONNECTIONS=64 THREADS=2 WORKERS=2
#                      PORT_BASE=18080 JAVA_OPTS="..." SKIP_BUILD=0 JAR=<router jar>
#                      BASELINE_JAR=<another router jar>: adds proxy "baseline" (put it in PROXIES) to
#                      compare two builds of the router in the same rounds
#                      SLUICE_TRANSPORT=io_uring|epoll|nio: the transport of proxy "sluice" (default: epoll);
#                      the baseline keeps the default, so BASELINE_JAR=<the same jar> compares transports
#
# Fairness: every proxy gets WORKERS workers/threads (nginx worker_processes, HAProxy nbthread,
# Sluice event loops), keeps upstream connections alive, and logs nothing per request; wrk uses
# the same threads and connections for each; rounds interleave the proxies so drift in the
# machine's speed hits all of them alike. CPU per request is utime+stime of the proxy's
# processes (nginx: master and workers; Sluice: the whole JVM with JIT and GC threads) over one
# wrk run, divided by the requests wrk completed; the upstream's and wrk's CPU per request over
# the same run are printed beside it (the three share the cores, so a proxy that makes the others
# work harder costs throughput that its own CPU figure does not show).
#
# MODE=rules (nginx and Sluice only, PROXIES="nginx sluice"; knob CANARY_WEIGHT=10): two
# versions, v1 and v2, are two ports of the same upstream nginx (each answers with an
# X-Version header). Sluice gets three routing rules to v2 (header x-canary: true, cookie
# beta=1, path prefix /api/v2), sticky hashing of the x-user-id header with v2 at
# CANARY_WEIGHT percent, and metrics on; nginx does the same with `map` on the header, the
# cookie and the URI and `split_clients` on x-user-id. wrk runs a Lua script: every request has
# a random user id; 1 in 20 has the header, 1 in 20 the cookie, 1 in 20 the path; 7 in 20 carry
# cookies that match no rule. Before measuring, the script checks that each rule reaches v2
# through both proxies and prints the share of 1,000 users each sends to v2.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
PORT_BASE=${PORT_BASE:-18080}
# Default JVM flags: a fixed 128 MB heap with the throughput collector, Netty's leak sampling
# off, and access to the JDK's selector internals so Netty's NIO transport can use its
# allocation-free selected-key set. Compact object headers are added on JDK 25 and later.
JAVA_OPTS=${JAVA_OPTS:-"-Xms128m -Xmx128m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true"}
MODE=${MODE:-plain}
case "$MODE" in
  plain) PROXIES=${PROXIES:-"nginx haproxy sluice"} ;;
  rules) PROXIES=${PROXIES:-"nginx sluice"} ;;
  *) echo "MODE: '$MODE' (expected: plain or rules)" >&2; exit 2 ;;
esac
if [ "$MODE" = rules ] && [[ " $PROXIES " == *" haproxy "* ]]; then
  echo "MODE=rules compares nginx and Sluice (and a baseline jar): take haproxy out of PROXIES" >&2
  exit 2
fi
CANARY_WEIGHT=${CANARY_WEIGHT:-10}
SKIP_BUILD=${SKIP_BUILD:-0}
BASELINE_JAR=${BASELINE_JAR:-}

UPSTREAM_PORT=$PORT_BASE
NGINX_PORT=$((PORT_BASE + 1))
HAPROXY_PORT=$((PORT_BASE + 2))
SLUICE_PORT=$((PORT_BASE + 3))
BASELINE_PORT=$((PORT_BASE + 4))
CANARY_PORT=$((PORT_BASE + 5))

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

missing=()
tools="nginx wrk"
[[ " $PROXIES " == *" haproxy "* ]] && tools="$tools haproxy"
for tool in $tools; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]} (install with: apt-get install -y nginx haproxy wrk)" >&2
  exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

# shellcheck source=java.sh
. "$here/java.sh"
JAVA_BIN=$(pick_java)
if [ "$(java_major "$JAVA_BIN")" -ge 25 ] && [[ "$JAVA_OPTS" != *ObjectHeaders* ]]; then
  JAVA_OPTS="$JAVA_OPTS -XX:+UseCompactObjectHeaders"
fi

jar=${JAR:-"$here/target/sluice-bench-router.jar"}
if [ "$SKIP_BUILD" != 1 ] && [ -z "${JAR:-}" ]; then
  (cd "$root" && mvn -q -B -Dstyle.color=never -pl sluice-router,sluice-bench -am package -DskipTests)
fi
[ -f "$jar" ] || { echo "no $jar: build it first" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- configs ------------------------------------------------------------------------------
mkdir -p "$work/upstream/html" "$work/upstream/logs" "$work/nginx/logs" "$work/tmp"
head -c 512 /dev/zero | tr '\0' 'x' > "$work/upstream/html/index.html"
# nginx started as root serves files as 'nobody': let it read them.
chmod -R a+rX "$work"
common_http="
    access_log off;
    error_log stderr warn;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;"

if [ "$MODE" = plain ]; then
  upstream_servers="
    server {
        listen 127.0.0.1:$UPSTREAM_PORT reuseport;
        root $work/upstream/html;
        location / { index index.html; }
    }"
else
  # Two versions on two ports of the same nginx; every path answers the same file. Each logs one
  # byte per request (buffered), so the script can tell what share of a run went to v2.
  upstream_servers="
    log_format version 'x';
    server {
        listen 127.0.0.1:$UPSTREAM_PORT reuseport;
        root $work/upstream/html;
        access_log $work/upstream/logs/v1.log version buffer=4k flush=1s;
        location / { try_files /index.html =404; add_header X-Version v1; }
    }
    server {
        listen 127.0.0.1:$CANARY_PORT reuseport;
        root $work/upstream/html;
        access_log $work/upstream/logs/v2.log version buffer=4k flush=1s;
        location / { try_files /index.html =404; add_header X-Version v2; }
    }"
fi
cat > "$work/upstream/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/upstream/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    $common_http
    $upstream_servers
}
CONF

if [ "$MODE" = plain ]; then
  nginx_routing="
    upstream app {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }"
  nginx_pass="http://app"
else
  # The same choices as Sluice's table: the first of header, cookie, path that matches sends
  # the request to v2; otherwise split_clients hashes x-user-id, CANARY_WEIGHT percent to v2.
  nginx_routing="
    upstream v1 {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }
    upstream v2 {
        server 127.0.0.1:$CANARY_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }
    split_clients \"\${http_x_user_id}\" \$by_user {
        $CANARY_WEIGHT% v2;
        * v1;
    }
    map \$http_x_canary \$by_header { \"true\" v2; default \"\"; }
    map \$cookie_beta \$by_cookie { \"1\" v2; default \"\"; }
    map \$uri \$by_path { ~^/api/v2(/|\$) v2; default \"\"; }
    map \"\$by_header\$by_cookie\$by_path\" \$version { \"\" \$by_user; default v2; }"
  nginx_pass='http://$version'
fi
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $WORKERS;
pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    $common_http
    $nginx_routing
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass $nginx_pass;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$host;
        }
    }
}
CONF

cat > "$work/haproxy.cfg" <<CONF
global
    nbthread $WORKERS
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 75s
    timeout server 60s
    option http-keep-alive
    option forwardfor
    http-reuse always
frontend fe
    bind 127.0.0.1:$HAPROXY_PORT
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    default_backend be
backend be
    server app 127.0.0.1:$UPSTREAM_PORT
CONF

# ---- start --------------------------------------------------------------------------------
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  exit 1
}

"$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" 2>"$work/upstream.err" &
UPSTREAM_PID=$!
pids+=($UPSTREAM_PID)
wait_port "$UPSTREAM_PORT"
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx.err" &
NGINX_PID=$!
pids+=($NGINX_PID)
HAPROXY_PID=0
if [[ " $PROXIES " == *" haproxy "* ]]; then
  "$HAPROXY" -db -f "$work/haproxy.cfg" 2>"$work/haproxy.err" &
  HAPROXY_PID=$!
  pids+=($HAPROXY_PID)
fi
router_args=()
if [ "$MODE" = rules ]; then
  router_args=(--canary "127.0.0.1:$CANARY_PORT" --canary-weight "$CANARY_WEIGHT"
    --rule header:x-canary=true --rule cookie:beta=1 --rule path:/api/v2 --sticky-header x-user-id)
fi
# shellcheck disable=SC2086
"$JAVA_BIN" $JAVA_OPTS ${SLUICE_TRANSPORT:+-Dsluice.router.transport=$SLUICE_TRANSPORT} -jar "$jar" --upstream "127.0.0.1:$UPSTREAM_PORT" "${router_args[@]}" \
  --listen "127.0.0.1:$SLUICE_PORT" --event-loops "$WORKERS" >"$work/sluice.out" 2>"$work/sluice.err" &
SLUICE_PID=$!
pids+=($SLUICE_PID)
BASELINE_PID=0
if [ -n "$BASELINE_JAR" ]; then
  # shellcheck disable=SC2086
  "$JAVA_BIN" $JAVA_OPTS -jar "$BASELINE_JAR" --upstream "127.0.0.1:$UPSTREAM_PORT" "${router_args[@]}" \
    --listen "127.0.0.1:$BASELINE_PORT" --event-loops "$WORKERS" >"$work/baseline.out" 2>"$work/baseline.err" &
  BASELINE_PID=$!
  pids+=($BASELINE_PID)
  wait_port "$BASELINE_PORT"
fi
wait_port "$NGINX_PORT"
[ "$HAPROXY_PID" = 0 ] || wait_port "$HAPROXY_PORT"
wait_port "$SLUICE_PORT"
sleep 0.5
SLUICE_LINE=$(head -n 1 "$work/sluice.out")

declare -A PORT=([nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [sluice]=$SLUICE_PORT [baseline]=$BASELINE_PORT)
declare -A PID=([nginx]=$NGINX_PID [haproxy]=$HAPROXY_PID [sluice]=$SLUICE_PID [baseline]=$BASELINE_PID)

status_of() { # port -> HTTP status of GET /
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&3
  head -n 1 <&3 | awk '{print $2}'
  exec 3>&-
}
check_ports="$UPSTREAM_PORT $NGINX_PORT $SLUICE_PORT"
[ "$HAPROXY_PID" = 0 ] || check_ports="$check_ports $HAPROXY_PORT"
[ -n "$BASELINE_JAR" ] && check_ports="$check_ports $BASELINE_PORT"
for port in $check_ports; do
  s=$(status_of "$port")
  [ "$s" = 200 ] || { echo "GET / on port $port answered '$s', expected 200" >&2; exit 1; }
done

wrk_script=()
rules_line=""
if [ "$MODE" = rules ]; then
  version_of() { # port path [header...] -> the X-Version of the answer
    local port=$1 path=$2; shift 2
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    { printf 'GET %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n' "$path"
      for h in "$@"; do printf '%s\r\n' "$h"; done
      printf '\r\n'; } >&3
    tr -d '\r' <&3 | awk -F': ' 'tolower($1) == "x-version" {print $2}'
    exec 3>&-
  }
  v2_share() { # port -> how many of 1,000 users (x-user-id check-1..1000) are sent to v2
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    { for i in $(seq 1 1000); do printf 'GET / HTTP/1.1\r\nHost: bench\r\nx-user-id: check-%d\r\n\r\n' "$i"; done
      printf 'GET / HTTP/1.1\r\nHost: bench\r\nx-canary: true\r\nConnection: close\r\n\r\n'; } >&3 &
    local n; n=$(tr -d '\r' <&3 | grep -ci '^x-version: v2')
    wait $!
    exec 3>&-
    echo $((n - 1))
  }
  shares=""
  for name in $PROXIES; do
    port=${PORT[$name]}
    for probe in "/|x-canary: true" "/|Cookie: a=1; beta=1" "/api/v2/items|" "/api/v2|"; do
      path=${probe%%|*} header=${probe#*|}
      v=$(version_of "$port" "$path" ${header:+"$header"})
      [ "$v" = v2 ] || { echo "$name: GET $path $header went to '$v', expected v2" >&2; exit 1; }
    done
    for probe in "/|x-canary: false" "/api/v2x|"; do
      path=${probe%%|*} header=${probe#*|}
      v=$(version_of "$port" "$path" "x-user-id: check-2" ${header:+"$header"})
      [ -n "$v" ] || { echo "$name: GET $path $header got no X-Version" >&2; exit 1; }
    done
    shares="$shares $name $(v2_share "$port")/1000,"
  done
  rules_line="users sent to v2 by the hash of x-user-id (CANARY_WEIGHT=$CANARY_WEIGHT):${shares%,}"
  # Each wrk thread cycles through 1,000 requests built once: a random user id on each; 1 in 20
  # with the forced header, 1 in 20 with the beta cookie, 1 in 20 under /api/v2; 7 in 20 with
  # cookies that match no rule (the rules are tested and fail), the rest plain.
  cat > "$work/rules.lua" <<'LUA'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
local requests = {}
local i = 0
function init(args)
  math.randomseed(7919 * thread_id)
  for n = 1, 1000 do
    local headers = { ["x-user-id"] = "user-" .. math.random(1, 1000000) }
    local path = "/"
    local k = n % 20
    if k == 0 then
      headers["x-canary"] = "true"
    elseif k == 1 then
      headers["Cookie"] = "theme=dark; beta=1"
    elseif k == 2 then
      path = "/api/v2/items"
    elseif k < 10 then
      headers["Cookie"] = "theme=dark; beta=0"
    end
    requests[n] = wrk.format("GET", path, headers)
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
LUA
  wrk_script=(-s "$work/rules.lua")
fi

# ---- measuring ----------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
family() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
cpu_ticks() { local t=0; for p in $(family "$1"); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_kb() { local t=0; for p in $(family "$1"); do
    [ -r "/proc/$p/status" ] && t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $t; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

results="$work/results.tsv"
: > "$results"

served() { # version -> requests the upstream logged for it (rules mode; flushed every second)
  local f="$work/upstream/logs/$1.log"
  [ -f "$f" ] && wc -l < "$f" || echo 0
}
run_wrk() { # name seconds -> prints: rps p50ms p99ms requests errors cpu_us_per_req rss_mb v2_percent
  local name=$1 secs=$2 out="$work/wrk.out"
  local s1=0 s2=0
  if [ "$MODE" = rules ]; then sleep 1.1; s1=$(served v1); s2=$(served v2); fi
  local c0 u0; c0=$(cpu_ticks "${PID[$name]}"); u0=$(cpu_ticks "$UPSTREAM_PID")
  # wrk runs in a shell that prints its waited-for children's CPU (cutime + cstime: wrk's) after it.
  local w; w=$(sh -c 'wrk "$@" > "$0"; awk "{print \$16 + \$17}" /proc/$$/stat' "$out" \
    -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "${wrk_script[@]}" "http://127.0.0.1:${PORT[$name]}/")
  local c1 u1; c1=$(cpu_ticks "${PID[$name]}"); u1=$(cpu_ticks "$UPSTREAM_PID")
  local rps p50 p99 reqs errs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  reqs=$(awk '/requests in/ {print $1}' "$out")
  errs=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
  local cpu; cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v r="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / r }')
  local up; up=$(awk -v d=$((u1 - u0)) -v hz="$CLK_TCK" -v r="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / r }')
  local wk; wk=$(awk -v d="$w" -v hz="$CLK_TCK" -v r="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / r }')
  local rss; rss=$(awk -v k="$(rss_kb "${PID[$name]}")" 'BEGIN { printf "%.1f", k / 1024 }')
  local share=-
  if [ "$MODE" = rules ]; then
    sleep 1.1
    share=$(awk -v a=$(($(served v1) - s1)) -v b=$(($(served v2) - s2)) 'BEGIN { printf "%.1f", a + b ? 100 * b / (a + b) : 0 }')
  fi
  echo "$rps $p50 $p99 $reqs $errs $cpu $rss $share $up $wk"
}

if [ "$MODE" = rules ]; then
  echo "== Router benchmark, routing rules: Sluice vs nginx (MODE=rules)"
else
  echo "== Router benchmark: Sluice vs nginx vs HAProxy"
fi
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r)"
haproxy_version=""
[ "$HAPROXY_PID" = 0 ] || haproxy_version="$("$HAPROXY" -v | head -n 1 | awk '{print $1, $3}'), "
echo "versions: $("$NGINX" -v 2>&1 | sed 's/.*version: //'), $haproxy_version$(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}'), java $(java_major "$JAVA_BIN")"
echo "sluice: $SLUICE_LINE  JAVA_OPTS=$JAVA_OPTS"
echo "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS rounds x $(echo $PROXIES | wc -w) proxies, $WORKERS workers each, upstream nginx 1 worker, 512-byte static body"
[ -z "$rules_line" ] || echo "rules: nginx map + split_clients, Sluice 3 rules + sticky header + metrics, wrk -s rules.lua; $rules_line"
echo
if [ "$WARMUP" -gt 0 ]; then
  for name in $PROXIES; do run_wrk "$name" "$WARMUP" > /dev/null; done
fi
printf "%-5s %-8s %10s %8s %8s %9s %7s %12s %8s %6s %10s %10s\n" round proxy "req/s" "p50 ms" "p99 ms" requests errors "cpu us/req" "rss MB" "v2 %" "upstream" "wrk"
for round in $(seq 1 "$ROUNDS"); do
  for name in $PROXIES; do
    read -r rps p50 p99 reqs errs cpu rss share up wk < <(run_wrk "$name" "$DURATION")
    printf "%-5s %-8s %10.0f %8.3f %8.3f %9d %7d %12.2f %8.1f %6s %10.2f %10.2f\n" "$round" "$name" "$rps" "$p50" "$p99" "$reqs" "$errs" "$cpu" "$rss" "$share" "$up" "$wk"
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "$name" "$rps" "$p50" "$p99" "$errs" "$cpu" "$rss" "$up" "$wk" >> "$results"
  done
done

echo
echo "== medians over $ROUNDS rounds"
median() { sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v n="$1" -v c="$2" '$2 == n {print $c}' "$results" | median; }
printf "%-8s %10s %8s %8s %12s %8s %14s %10s\n" proxy "req/s" "p50 ms" "p99 ms" "cpu us/req" "rss MB" "upstream us/req" "wrk us/req"
for name in $PROXIES; do
  printf "%-8s %10.0f %8.3f %8.3f %12.2f %8.1f %14.2f %10.2f\n" "$name" "$(col "$name" 3)" "$(col "$name" 4)" "$(col "$name" 5)" "$(col "$name" 7)" "$(col "$name" 8)" "$(col "$name" 9)" "$(col "$name" 10)"
done
echo
[ "$MODE" = plain ] || echo "(v2 %: the share of a run's requests the upstream logged on v2; expected about 15 + 85 * CANARY_WEIGHT / 100)"
echo "== ratios per round (Sluice / other; req/s above 1 and cpu/req below 1 favour Sluice)"
awk -F'\t' '
  { rps[$1, $2] = $3; cpu[$1, $2] = $7; rounds[$1] = 1 }
  END {
    printf "%-5s %16s %16s %18s %18s\n", "round", "req/s vs nginx", "cpu vs nginx", "req/s vs haproxy", "cpu vs haproxy"
    for (r = 1; r in rounds; r++)
      if ((r, "haproxy") in rps)
        printf "%-5s %16.3f %16.3f %18.3f %18.3f\n", r, rps[r, "sluice"] / rps[r, "nginx"], cpu[r, "sluice"] / cpu[r, "nginx"], rps[r, "sluice"] / rps[r, "haproxy"], cpu[r, "sluice"] / cpu[r, "haproxy"]
      else
        printf "%-5s %16.3f %16.3f %18s %18s\n", r, rps[r, "sluice"] / rps[r, "nginx"], cpu[r, "sluice"] / cpu[r, "nginx"], "-", "-"
  }' "$results"
if [ -n "$BASELINE_JAR" ]; then
  echo
  echo "== Sluice / baseline per round (req/s, cpu/req)"
  awk -F'\t' '{ rps[$1, $2] = $3; cpu[$1, $2] = $7; rounds[$1] = 1 }
    END { for (r = 1; r in rounds; r++) printf "%-5s %10.3f %10.3f\n", r, rps[r, "sluice"] / rps[r, "baseline"], cpu[r, "sluice"] / cpu[r, "baseline"] }' "$results"
fi
