#!/bin/bash
# A/B bench: base (main 8c50105) vs pipe (pipeline branch), interleaved point by point, order alternating per round.
out=${1:-/tmp/pipeline-bench.jsonl}
rounds=${2:-3}
rb=/work/shared/bench/relaybench
points=("proxy 1 1k" "proxy 50 1k" "proxy 1 1m" "proxy 50 1m" "store 0 0" "forward 0 0" "pop 0 0")
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="base pipe"; else order="pipe base"; fi
  for p in "${points[@]}"; do
    set -- $p
    for rel in $order; do
      if [ "$1" = proxy ]; then
        timeout 400 "$rb" --config /tmp/pipeline-relays.ini --relays "$rel" --scenarios proxy --proxy-conc "$2" --proxy-sizes "$3" --probe-msgs 20 --probe-max 50 --json "$out" 2>&1 | grep -v "^#" | tail -2
      else
        timeout 400 "$rb" --config /tmp/pipeline-relays.ini --relays "$rel" --scenarios "$1" --json "$out" 2>&1 | grep -v "^#" | tail -2
      fi
    done
  done
done
