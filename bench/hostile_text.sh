#!/usr/bin/env bash
# Free text at its worst: a CSV of ROWS remarks, each a full cell (32,767 characters) of an
# identifier of the return repeated (neighbouring cells differ in their last character), checked
# and cleaned with a pack of two columns. Each command runs RUNS times after one warm-up; min /
# median / max wall seconds and peak memory. A command that exits with anything but 0 or 1
# (findings) stops the script: a failed run is never a number.
#
# usage: bash bench/hostile_text.sh [ROWS] [RUNS]     (defaults 2000 and 3)
# needs: python3, GNU time (/usr/bin/time). Data under target/bench/hostile/.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000}
runs=${2:-3}
dir=$PWD/target/bench/hostile
mkdir -p "$dir"
cargo build --release --quiet --bin vakt
vakt=target/release/vakt
python3 - "$dir" "$rows" <<'PY'
import sys
d, rows = sys.argv[1], int(sys.argv[2])
cell = ("ab-20417 " * 3700)[:32767]
with open(f"{d}/visits.csv", "w") as f:
    f.write("client,remark\n")
    for i in range(rows):
        # Neighbours differ, so no cell is the one above it again.
        f.write(f"AB-{20000 + i},{cell if i % 2 else cell[:-1] + 'x'}\n")
with open(f"{d}/pack.toml", "w") as f:
    f.write('name = "clients"\nversion = "1"\n[id_types]\nclient = { form = "text" }\n'
            '[[table]]\nname = "visits"\n[[table.column]]\nname = "client"\ntype = "text"\n'
            'class = ["D"]\nid_type = "client"\n[[table.column]]\nname = "remark"\ntype = "text"\n'
            'class = ["F"]\n')
PY
[ -s "$dir/bench.key" ] || "$vakt" keygen --project bench --out "$dir/bench.key" >/dev/null

measure() {
  local label=$1; shift
  : >"$dir/times"
  for i in $(seq 0 "$runs"); do
    local status=0
    /usr/bin/time -o "$dir/time" -f '%e %M' "$@" >/dev/null 2>"$dir/err" || status=$?
    if [ "$status" -gt 1 ]; then
      echo "bench/hostile_text.sh: failed (exit $status): $*" >&2
      tail -20 "$dir/err" >&2
      exit 1
    fi
    [ "$i" -gt 0 ] && tail -1 "$dir/time" >>"$dir/times"
  done
  sort -g "$dir/times" | awk -v l="$label" '
    { t[NR] = $1; if ($2 > k) k = $2 } END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| %s | %.2f / %.2f / %.2f | %.0f |\n", l, t[1], med, t[NR], k / 1024 }'
}

echo "| run | seconds min / median / max | peak MiB |"
echo "|---|---:|---:|"
measure "vakt check, $rows full cells of identifiers" "$vakt" check --rules "$dir/pack.toml" "$dir/visits.csv"
measure "vakt clean, the same" "$vakt" clean --rules "$dir/pack.toml" "$dir/visits.csv" \
  --key "$dir/bench.key" --domain bench --out "$dir/clean" --force
echo "($runs runs after one warm-up; $(nproc) cores; $(date -u +%Y-%m-%d))"
