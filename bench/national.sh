#!/usr/bin/env bash
# Benchmark of the full survey pack (all rule kinds) against its column rules alone, on a large
# synthetic national set from vakt-synth, side by side in one run: wall seconds, data rows per
# second and peak memory, for a clean set and a seeded one.
#
# Each run is repeated RUNS times after one warm-up (min / median / max); a run that fails, or
# that reports another number of data rows than the first run of the same set, stops the script.
#
# usage: [RUNS=3] bash bench/national.sh [SCALE]      (default 100: 42,600 groups, 239,100 patients)
# needs: python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-100}
runs=${RUNS:-3}
dir=target/bench/national-$scale
cargo build --release --quiet --bin vakt --bin vakt-synth
mkdir -p "$dir"
[ -d "$dir/clean/returns" ] || target/release/vakt-synth --out "$dir/clean" --scale "$scale" --clean >/dev/null
[ -d "$dir/seeded/returns" ] || target/release/vakt-synth --out "$dir/seeded" --scale "$scale" --seed 1 >/dev/null
mkdir -p "$dir/pack"
ln -sfn "$PWD/rules/codelists" "$dir/pack/codelists"
ln -sfn "$PWD/rules/icd10-chapter-v.csv" "$dir/pack/icd10-chapter-v.csv"
python3 bench/column_only_pack.py rules/group-therapy-survey.toml "$dir/pack/columns.toml"

# once SET ARGS...: one timed check of the set's returns; prints "seconds peak_kib rows errors".
once() {
  local set=$1; shift
  local status=0
  /usr/bin/time -o "$dir/time.txt" -f '%e %M' target/release/vakt check --format json "$@" "$dir/$set"/returns/* > "$dir/out.json" 2> "$dir/stderr.txt" || status=$?
  # 1 = errors found (the seeded set has them); anything else is a failed run, never a number.
  if [ "$status" -gt 1 ]; then
    echo "bench/national.sh: check of the $set set failed (exit $status)" >&2
    tail -20 "$dir/stderr.txt" >&2
    exit 1
  fi
  echo "$(tail -1 "$dir/time.txt") $(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['summary']; print(d['rows'], d['errors'])" "$dir/out.json")"
}

# run LABEL SET ARGS...: one warm-up, then RUNS runs; a Markdown row. Every run of a set must
# report the data rows of its first run.
declare -A rows_of_set=()
run() {
  local label=$1 set=$2; shift 2
  local times=() peak=0 secs kb rows errs
  for i in $(seq 0 "$runs"); do
    # Not `< <(once …)`: an exit inside a process substitution would not stop the script.
    once "$set" "$@" > "$dir/once.txt"
    read -r secs kb rows errs < "$dir/once.txt"
    : "${rows_of_set[$set]:=$rows}"
    if [ "$rows" != "${rows_of_set[$set]}" ]; then
      echo "bench/national.sh: '$label' reported $rows data rows, ${rows_of_set[$set]} before" >&2
      exit 1
    fi
    [ "$i" = 0 ] && continue
    times+=("$secs")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v l="$label" -v r="$rows" -v k="$peak" -v e="$errs" '
    { t[NR] = $1 } END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| %s | %d | %.2f / %.2f / %.2f | %.0f | %.0f | %d |\n", l, r, t[1], med, t[NR], r / med, k / 1024, e }'
}

echo "| run | data rows | seconds min / median / max | rows/s (median) | peak MiB | errors |"
echo "|---|---:|---:|---:|---:|---:|"
run "clean set, full pack" clean
run "clean set, column rules only" clean --rules "$dir/pack/columns.toml"
run "seeded set, full pack" seeded
run "seeded set, column rules only" seeded --rules "$dir/pack/columns.toml"
echo "($runs runs after one warm-up; $(nproc) cores; $(date -u +%Y-%m-%d))"
