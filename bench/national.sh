#!/usr/bin/env bash
# Benchmark of the full survey pack (all rule kinds) against its column rules alone, on a large
# synthetic national set from vakt-synth, side by side in one run: wall seconds, data rows per
# second and peak memory, for a clean set and a seeded one.
#
# usage: bash bench/national.sh [SCALE]      (default 100: 42,600 groups, 239,100 patients)
# needs: python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-100}
dir=target/bench/national-$scale
cargo build --release --quiet --bin vakt --bin vakt-synth
mkdir -p "$dir"
[ -d "$dir/clean/returns" ] || target/release/vakt-synth --out "$dir/clean" --scale "$scale" --clean >/dev/null
[ -d "$dir/seeded/returns" ] || target/release/vakt-synth --out "$dir/seeded" --scale "$scale" --seed 1 >/dev/null
mkdir -p "$dir/pack"
ln -sfn "$PWD/rules/codelists" "$dir/pack/codelists"
ln -sfn "$PWD/rules/icd10-chapter-v.csv" "$dir/pack/icd10-chapter-v.csv"
python3 bench/column_only_pack.py rules/group-therapy-survey.toml "$dir/pack/columns.toml"

run() {
  local label=$1 set=$2; shift 2
  local status=0
  /usr/bin/time -o "$dir/time.txt" -f '%e %M' target/release/vakt check --format json "$@" "$dir/$set"/returns/* > "$dir/out.json" 2> "$dir/stderr.txt" || status=$?
  # 1 = errors found (the seeded set has them); anything else is a failed run, never a number.
  if [ "$status" -gt 1 ]; then
    echo "bench/national.sh: '$label' failed (exit $status)" >&2
    tail -20 "$dir/stderr.txt" >&2
    exit 1
  fi
  local secs kb rows errs
  read -r secs kb < <(tail -1 "$dir/time.txt")
  rows=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['summary']; print(d['rows'], d['errors'])" "$dir/out.json")
  errs=${rows#* }; rows=${rows% *}
  awk -v l="$label" -v s="$secs" -v k="$kb" -v r="$rows" -v e="$errs" \
    'BEGIN { printf "| %s | %d | %.2f | %.0f | %.0f | %d |\n", l, r, s, r / s, k / 1024, e }'
}

echo "| run | data rows | seconds | rows/s | peak MiB | errors |"
echo "|---|---:|---:|---:|---:|---:|"
run "clean set, full pack" clean
run "clean set, column rules only" clean --rules "$dir/pack/columns.toml"
run "seeded set, full pack" seeded
run "seeded set, column rules only" seeded --rules "$dir/pack/columns.toml"
