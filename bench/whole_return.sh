#!/usr/bin/env bash
# Throughput of `vakt check` on one whole return (every table, every relation active), side by
# side in one run with a bare parse of the same files, the column rules alone, `vakt clean`,
# frictionless on the same return as a Data Package, and a Patients workbook (national sets:
# bench/national.sh): each command run RUNS times after one warm-up, reporting min / median / max
# wall seconds and the largest peak memory of the runs. A command that fails, or that reports another
# number of data rows than the return holds, stops the script: a failed run is never a number.
#
# usage: bash bench/whole_return.sh [ROWS] [RUNS]     (defaults 1100000 and 5)
# needs: python3 (standard library only), GNU time (/usr/bin/time); frictionless (pip) for the
# Data Package comparison and openpyxl (pip) to write the workbook, each skipped with a line
# saying so when it is not installed. Data under
# target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1100000}
runs=${2:-5}
dir=$PWD/target/bench/whole
mkdir -p "$dir"
cargo build --release --quiet --bin vakt --bin vakt-synth --example bare_parse
vakt=target/release/vakt
[ -d "$dir/synth/returns" ] || target/release/vakt-synth --out "$dir/synth" --seed 1 --clean >/dev/null
ret="$dir/return-$rows"
[ -s "$ret/patients.csv" ] || python3 bench/gen_return.py "$dir/synth/returns/HMN-STO" "$ret" "$rows" >/dev/null
expected=$(python3 -c "import csv,glob,sys; print(sum(sum(1 for _ in csv.reader(open(f, encoding='utf-8-sig'))) - 1 for f in glob.glob(sys.argv[1] + '/*.csv')))" "$ret")
mkdir -p "$dir/pack"
ln -sfn "$PWD/rules/codelists" "$dir/pack/codelists"
ln -sfn "$PWD/rules/icd10-chapter-v.csv" "$dir/pack/icd10-chapter-v.csv"
python3 bench/column_only_pack.py rules/group-therapy-survey.toml "$dir/pack/columns.toml"
[ -s "$dir/bench.key" ] || "$vakt" keygen --project bench --out "$dir/bench.key" >/dev/null

# once CMD...: one timed run; prints "seconds peak_kib"; stops the script on an exit status that is
# not 0 (or 1: errors found), showing the command's error output.
once() {
  local status=0
  /usr/bin/time -o "$dir/time.txt" -f '%e %M' "$@" >"$dir/out.txt" 2>"$dir/err.txt" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "bench/whole_return.sh: failed (exit $status): $*" >&2
    tail -20 "$dir/err.txt" >&2
    exit 1
  fi
  tail -1 "$dir/time.txt"
}

# rows_of: data rows in the last JSON report, which must be the return's. A frictionless report
# counts the rows of its tasks and must say the package is valid (the return is clean).
rows_of() {
  python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
if 'tasks' in r:
    if not r['valid']:
        sys.exit('frictionless: the package is not valid: ' + str([e['message'] for t in r['tasks'] for e in t['errors']][:3]))
    print(sum(t['stats']['rows'] for t in r['tasks']))
else:
    print(r['summary']['rows'])" "$dir/out.txt"
}

# measure LABEL ROWS CHECK_ROWS CMD...: warm-up, then RUNS runs; a Markdown row.
measure() {
  local label=$1 n=$2 check=$3; shift 3
  once "$@" >/dev/null
  local times=() peak=0 t kb
  for _ in $(seq "$runs"); do
    # Not `< <(once …)`: an exit inside a process substitution would not stop the script.
    once "$@" > "$dir/once.txt"
    read -r t kb < "$dir/once.txt"
    if [ "$check" = yes ]; then
      local got; got=$(rows_of)
      if [ "$got" != "$n" ]; then
        echo "bench/whole_return.sh: '$label' reported $got data rows, expected $n" >&2
        exit 1
      fi
    fi
    times+=("$t"); [ "$kb" -gt "$peak" ] && peak=$kb
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }')
  printf '%s\n' "${times[@]}" | sort -g | awk -v l="$label" -v r="$n" -v k="$peak" '
    { t[NR] = $1 } END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| %s | %d | %.2f / %.2f / %.2f | %.0f | %.0f |\n", l, r, t[1], med, t[NR], r / med, k / 1024 }'
}

echo "| run | data rows | seconds min / median / max | rows/s (median) | peak MiB |"
echo "|---|---:|---:|---:|---:|"
measure "bare parse of patients.csv (csv crate)" "$(($(wc -l < "$ret/patients.csv") - 1))" no target/release/examples/bare_parse "$ret/patients.csv"
measure "bare parse of every file of the return (csv crate)" "$expected" no target/release/examples/bare_parse "$ret"/*.csv
bare=$median
measure "vakt check, whole return, full survey pack" "$expected" yes "$vakt" check --format json "$ret"
full=$median
measure "vakt check, whole return, column rules only" "$expected" yes "$vakt" check --format json --rules "$dir/pack/columns.toml" "$ret"
measure "vakt clean, whole return" "$expected" no "$vakt" clean "$ret" --key "$dir/bench.key" --domain bench --out "$dir/clean" --force
# The same return as a Frictionless Data Package (types, code lists, ranges, primary and foreign
# keys: bench/datapackage.py), validated by frictionless, when it is installed.
if command -v frictionless >/dev/null; then
  python3 bench/datapackage.py "$ret" >/dev/null
  cd "$ret"
  measure "frictionless validate, whole return as a Data Package with its keys" "$expected" yes frictionless validate --json datapackage.json
  cd - >/dev/null
  ratio_frictionless=$(awk -v a="$median" -v b="$full" 'BEGIN { printf "%.1f", a / b }')
else
  echo "| frictionless validate | not installed (pip install frictionless) | | | |"
fi
# One Patients workbook (bench/gen_patients.py, 100,000 rows), when openpyxl is installed to
# write it: the bare streaming parse by calamine and by vakt's own cell reader beside vakt check.
xlsx=$dir/patients-100000.xlsx
if [ -s "$xlsx" ] || python3 -c "import openpyxl" 2>/dev/null; then
  [ -s "$xlsx" ] || python3 bench/gen_patients.py "$xlsx" 100000
  measure "bare parse of a Patients workbook (calamine streaming)" 100000 no target/release/examples/bare_parse "$xlsx"
  bare_xlsx=$median
  measure "bare parse of a Patients workbook (vakt's fast cell reader alone)" 100000 no target/release/examples/bare_parse --vakt-xlsx "$xlsx"
  measure "vakt check, Patients workbook, full survey pack" 100000 yes "$vakt" check --format json "$xlsx"
  full_xlsx=$median
else
  echo "| xlsx | openpyxl not installed (pip install openpyxl) to write the workbook | | | |"
fi
echo
[ -n "${full_xlsx:-}" ] && echo "vakt check (full pack) takes $(awk -v a="$full_xlsx" -v b="$bare_xlsx" 'BEGIN { printf "%.2f", a / b }')x the bare parse of the same workbook."
echo "vakt check (full pack) takes $(awk -v a="$full" -v b="$bare" 'BEGIN { printf "%.1f", a / b }')x the bare parse of the same files (median against median)."
[ -n "${ratio_frictionless:-}" ] && echo "frictionless takes ${ratio_frictionless}x vakt check (full pack) on the same return."
echo "($runs runs after one warm-up; $(nproc) cores; $(date -u +%Y-%m-%d))"
