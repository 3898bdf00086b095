#!/usr/bin/env bash
# Glass-to-glass latency benchmark: one publisher draws the wall clock into its pictures and sends one
# encoded stream (x264 zerolatency, 1 s GOP) to four openivs channels (TS/fMP4 x LOW/NORMAL) and to
# nginx with its RTMP module (2 s fragments); Amazon's IVS web player and hls.js (lowLatencyMode) each
# play every target in headless Chromium, STARTS (3) times each from a fresh page, for SECONDS_PER_TARGET
# (30) s a start, reading the time back from the shown frames. Prints a table (median of the starts'
# medians, their range) with ratios to nginx-rtmp in the same player, and the load average before and
# after. PLAYERS (ivs,hlsjs) and TARGETS (comma-separated words of target names, e.g. NORMAL,nginx)
# narrow a run. Run as root on Debian
# (installs chromium, chromium-driver, nginx, libnginx-mod-rtmp when missing). Extra Maven options
# (e.g. -o) in MAVEN_ARGS. NGINX_RTMP_PORT (19350) and NGINX_HTTP_PORT (18089) move the anchor's ports, for
# two runs on one machine (openivs itself takes free ports).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${SECONDS_PER_TARGET:-30}"
starts="${STARTS:-3}"
rtmp_port="${NGINX_RTMP_PORT:-19350}"
http_port="${NGINX_HTTP_PORT:-18089}"
echo "before: $(uptime)"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! ls /usr/lib/nginx/modules/ngx_rtmp_module.so >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver nginx libnginx-mod-rtmp >/dev/null
fi
work="$(mktemp -d)"
mkdir -p "$work/hls" "$work/logs"
cat > "$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:$rtmp_port; application live {
  live on; hls on; hls_path $work/hls; hls_fragment 2s; hls_playlist_length 6s; } } }
http {
  access_log off; client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server { listen 127.0.0.1:$http_port;
    location /hls/ { alias $work/hls/; add_header Access-Control-Allow-Origin * always; add_header Cache-Control no-cache; } } }
CONF
nginx -c "$work/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; rm -rf "$work"' EXIT
./mvnw -q -B -ntp -pl server test -Dtest=LatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dopenivs.bench.seconds="$seconds" -Dopenivs.bench.starts="$starts" \
  -Dopenivs.bench.players="${PLAYERS:-ivs,hlsjs}" -Dopenivs.bench.targets="${TARGETS:-}" -Dopenivs.bench.nginx.rtmp=rtmp://127.0.0.1:$rtmp_port/live/bench \
  -Dopenivs.bench.nginx.hls=http://127.0.0.1:$http_port/hls/bench.m3u8 -DtrimStackTrace=false
echo "after: $(uptime)"
grep -h -e '^player | target |' -e '^load average' -e '^IVS player |' -e '^hls.js |' -e ': server up ' \
  server/target/surefire-reports/*LatencyBenchmark-output.txt
