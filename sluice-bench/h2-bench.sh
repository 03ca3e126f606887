#!/usr/bin/env bash
# HTTP/2 benchmark: h2load (prior knowledge, h2c) against the Sluice router and against nginx
# (listen ... http2) in front of the same upstream (an nginx serving a 512-byte static file),
# all on loopback, in interleaved rounds; plus wrk over HTTP/1.1 against the same Sluice listener,
# to show what the HTTP/2 path costs next to the HTTP/1.1 one.
#
# Installs nothing. Needs nginx, wrk and h2load (Debian: apt-get install -y nginx wrk
# nghttp2-client), a JDK >= 21 and Maven to build the router jar (SKIP_BUILD=1 reuses
# sluice-bench/target/sluice-bench-router.jar).
#
# Usage (from the repository root):  bash sluice-bench/h2-bench.sh
# Knobs (environment): ROUNDS=3 DURATION=10 WARMUP=10 CONNECTIONS=32 STREAMS=10 THREADS=2
#                      WORKERS=2 PORT_BASE=18180 JAVA_OPTS="..." SKIP_BUILD=0
#
# Both proxies get WORKERS workers (nginx worker_processes, Sluice event loops), speak HTTP/1.1
# with keep-alive to the upstream, and log nothing per request. h2load opens CONNECTIONS
# connections with at most STREAMS concurrent streams each (-m) over THREADS threads.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
STREAMS=${STREAMS:-10}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
PORT_BASE=${PORT_BASE:-18180}
JAVA_OPTS=${JAVA_OPTS:-"-Xms128m -Xmx128m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true"}
SKIP_BUILD=${SKIP_BUILD:-0}

UPSTREAM_PORT=$PORT_BASE
NGINX_PORT=$((PORT_BASE + 1))
SLUICE_PORT=$((PORT_BASE + 3))

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

missing=()
for tool in nginx wrk h2load; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]} (install with: apt-get install -y nginx wrk nghttp2-client)" >&2
  exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# shellcheck source=java.sh
. "$here/java.sh"
JAVA_BIN=$(pick_java)

jar="$here/target/sluice-bench-router.jar"
if [ "$SKIP_BUILD" != 1 ]; then
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

mkdir -p "$work/upstream/html" "$work/nginx" "$work/tmp"
head -c 512 /dev/zero | tr '\0' 'x' > "$work/upstream/html/index.html"
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
cat > "$work/upstream/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/upstream/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    $common_http
    server {
        listen 127.0.0.1:$UPSTREAM_PORT reuseport;
        root $work/upstream/html;
        location / { index index.html; }
    }
}
CONF
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $WORKERS;
pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    $common_http
    http2_max_concurrent_streams 128;
    upstream app {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT http2;
        location / {
            proxy_pass http://app;
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

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  exit 1
}

"$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" 2>"$work/upstream.err" &
pids+=($!)
wait_port "$UPSTREAM_PORT"
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx.err" &
pids+=($!)
# shellcheck disable=SC2086
"$JAVA_BIN" $JAVA_OPTS -jar "$jar" --upstream "127.0.0.1:$UPSTREAM_PORT" \
  --listen "127.0.0.1:$SLUICE_PORT" --event-loops "$WORKERS" --http2 \
  >"$work/sluice.out" 2>"$work/sluice.err" &
pids+=($!)
wait_port "$NGINX_PORT"
wait_port "$SLUICE_PORT"

port_of() { case "$1" in nginx) echo "$NGINX_PORT" ;; sluice) echo "$SLUICE_PORT" ;; esac; }

# One h2load run; prints: req/s, mean and max request time, requests, failed, non-2xx.
h2run() {
  local port=$1 secs=$2 out
  out=$(h2load -t "$THREADS" -c "$CONNECTIONS" -m "$STREAMS" -D "$secs" \
    "http://127.0.0.1:$port/" 2>&1)
  local rps succeeded failed non2xx mean max
  rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' <<<"$out")
  succeeded=$(awk '/^requests:/ {print $8}' <<<"$out")
  failed=$(awk '/^requests:/ {print $10}' <<<"$out")
  # "status codes: N 2xx, N 3xx, N 4xx, N 5xx"
  non2xx=$(awk '/^status codes:/ {print $5 + $7 + $9}' <<<"$out")
  mean=$(awk '/^time for request:/ {print $6}' <<<"$out")
  max=$(awk '/^time for request:/ {print $5}' <<<"$out")
  echo "$rps req/s  mean $mean  max $max  succeeded $succeeded  failed $failed  non-2xx $non2xx"
}

for p in nginx sluice; do
  h2load -n 1 "http://127.0.0.1:$(port_of $p)/" | grep -q "1 succeeded" \
    || { echo "$p does not answer h2c" >&2; exit 1; }
  echo "warm-up $p: $(h2run "$(port_of $p)" "$WARMUP")"
done
echo "h2load -t $THREADS -c $CONNECTIONS -m $STREAMS -D $DURATION, $WORKERS workers each"
for r in $(seq 1 "$ROUNDS"); do
  for p in nginx sluice; do
    echo "round $r  $p h2c:      $(h2run "$(port_of $p)" "$DURATION")"
  done
  rps=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" "http://127.0.0.1:$SLUICE_PORT/" \
    | awk '/^Requests\/sec/ {print $2}')
  echo "round $r  sluice HTTP/1.1 (wrk -c $CONNECTIONS): $rps req/s"
done
