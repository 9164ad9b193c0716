#!/usr/bin/env bash
# Side-by-side: cairn (default durable mode) and MinIO single drive, the
# same load driver against both, runs interleaved so both see the same
# machine. Usage: cmd/internal/bench/compare.sh [rounds] [duration]
# Needs: minio on PATH or in $(go env GOPATH)/bin (go install github.com/minio/minio@latest).
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${1:-2}
dur=${2:-10s}
work=$(mktemp -d /tmp/cairn-compare.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
minio=$(command -v minio || echo "$(go env GOPATH)/bin/minio")
export CAIRN_ROOT_ACCESS_KEY=compareak CAIRN_ROOT_SECRET_KEY=compare-secret-key
CGO_ENABLED=0 go build -o "$work/cairn" ./cmd/cairn
"$work/cairn" server --data "$work/cairn-data" --listen 127.0.0.1:9300 --log-level warn >"$work/cairn.log" 2>&1 &
MINIO_ROOT_USER=$CAIRN_ROOT_ACCESS_KEY MINIO_ROOT_PASSWORD=$CAIRN_ROOT_SECRET_KEY \
  "$minio" server "$work/minio-data" --address 127.0.0.1:9400 --console-address 127.0.0.1:9401 >"$work/minio.log" 2>&1 &
sleep 5
"$minio" --version | head -1
for r in $(seq "$rounds"); do
  for w in "put 4KiB" "get 4KiB" "put 16MiB" "get 16MiB"; do
    set -- $w
    for name in cairn minio; do
      port=9300; [ "$name" = minio ] && port=9400
      printf '%-6s round %s: ' "$name" "$r"
      "$work/cairn" bench --endpoint "http://127.0.0.1:$port" --op "$1" --size "$2" -c 16 -d "$dur" --json 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print("%s %s c=%d  %8.1f obj/s %8.1f MiB/s  p50 %.2f ms  p99 %.2f ms  errors %d" % (r["op"], r["size"], r["concurrency"], r["obj_per_sec"], r["mib_per_sec"], r["p50_ms"], r["p99_ms"], r["errors"]))'
    done
  done
done
