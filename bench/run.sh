#!/usr/bin/env bash
# Benchmark of `vakt check` on a Patients table, side by side in one run with a bare parse of the
# same file and with `frictionless validate` (an equivalent Table Schema: bench/patients.schema.json).
#
# usage: [RUNS=3] bash bench/run.sh [CSV_ROWS] [XLSX_ROWS]      (defaults 1000000 and 100000)
# Each command runs RUNS times after one warm-up: min / median / max wall seconds, and the peak
# memory of the runs. A command that fails, or a vakt report with another number of data rows than
# the file holds, stops the script: a failed or empty run is never a number.
# needs: python3 with `pip install frictionless openpyxl`; writes data under target/bench/.
# Prints a Markdown table; paste it into docs/benchmarks.md with the machine facts.
set -euo pipefail
cd "$(dirname "$0")/.."
csv_rows=${1:-1000000}
xlsx_rows=${2:-100000}
runs=${RUNS:-3}
dir=target/bench
mkdir -p "$dir"
cargo build --release --quiet --bin vakt --example bare_parse
vakt=target/release/vakt
bare=target/release/examples/bare_parse

gen() { [ -s "$1" ] || python3 bench/gen_patients.py "$1" "$2"; }
mkdir -p "$dir/csv" "$dir/xlsx" "$dir/small"
gen "$dir/csv/patients.csv" "$csv_rows"
gen "$dir/xlsx/patients.xlsx" "$xlsx_rows"
gen "$dir/small/patients.csv" 100000

# measure LABEL ROWS OK CMD...: one warm-up, then RUNS timed runs (GNU time: wall seconds, peak
# RSS); a Markdown row. OK lists the exit statuses that mean the command ran (a validator exits 1
# when it finds errors); any other status stops the benchmark with the command's error output, and
# so does a vakt JSON report of another number of data rows than ROWS.
measure() {
  local label=$1 rows=$2 ok=$3; shift 3
  local times=() peak=0 t kb status got
  for i in $(seq 0 "$runs"); do
    status=0
    /usr/bin/time -o "$dir/time.txt" -f '%e %M' "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt" || status=$?
    if [[ ",$ok," != *",$status,"* ]]; then
      echo "bench/run.sh: '$label' failed (exit $status): $*" >&2
      tail -20 "$dir/stderr.txt" >&2
      exit 1
    fi
    if [ "$1" = "$vakt" ]; then
      got=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['summary']['rows'])" "$dir/stdout.txt")
      if [ "$got" != "$rows" ]; then
        echo "bench/run.sh: '$label' reported $got data rows, expected $rows" >&2
        exit 1
      fi
    fi
    [ "$i" = 0 ] && continue
    read -r t kb < <(tail -1 "$dir/time.txt")
    times+=("$t")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v l="$label" -v r="$rows" -v k="$peak" '
    { t[NR] = $1 } END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| %s | %d | %.2f / %.2f / %.2f | %.0f | %.0f |\n", l, r, t[1], med, t[NR], (med > 0 ? r / med : 0), k / 1024 }'
}

# Three packs side by side: the full survey pack; its column rules alone (bench/column_only_pack.py);
# and those without the Patients unique key, whose memory must not grow with the file (the key set,
# and the per-patient consistency map of the full pack, are what grow).
packs=$dir/packs
mkdir -p "$packs"
ln -sfn "$PWD/rules/codelists" "$packs/codelists"
ln -sfn "$PWD/rules/icd10-chapter-v.csv" "$packs/icd10-chapter-v.csv"
python3 bench/column_only_pack.py rules/group-therapy-survey.toml "$packs/columns.toml"
grep -v '^unique = \[\["group_id", "patient_id"\]\]' "$packs/columns.toml" > "$packs/nokey.toml"

fl=(frictionless validate --limit-errors 100000000 --schema bench/patients.schema.json)

echo "| run | rows | seconds min / median / max | rows/s (median) | peak MiB |"
echo "|---|---:|---:|---:|---:|"
measure "bare parse, CSV (csv crate)" "$csv_rows" 0 "$bare" "$dir/csv/patients.csv"
measure "vakt check, CSV, full survey pack" "$csv_rows" 0,1 "$vakt" check --format json "$dir/csv/patients.csv"
measure "vakt check, CSV, 100k rows, full survey pack" 100000 0,1 "$vakt" check --format json "$dir/small/patients.csv"
measure "vakt check, CSV, column rules" "$csv_rows" 0,1 "$vakt" check --rules "$packs/columns.toml" --format json "$dir/csv/patients.csv"
measure "vakt check, CSV, 100k rows, column rules" 100000 0,1 "$vakt" check --rules "$packs/columns.toml" --format json "$dir/small/patients.csv"
measure "vakt check, CSV, column rules, no unique key" "$csv_rows" 0,1 "$vakt" check --rules "$packs/nokey.toml" --format json "$dir/csv/patients.csv"
measure "vakt check, CSV, 100k rows, column rules, no unique key" 100000 0,1 "$vakt" check --rules "$packs/nokey.toml" --format json "$dir/small/patients.csv"
measure "frictionless validate, CSV, 100k rows" 100000 0,1 "${fl[@]}" "$dir/small/patients.csv"
if [ "${FULL_FRICTIONLESS:-0}" = 1 ]; then
  measure "frictionless validate, CSV" "$csv_rows" 0,1 "${fl[@]}" "$dir/csv/patients.csv"
fi
measure "bare parse, xlsx (calamine streaming)" "$xlsx_rows" 0 "$bare" "$dir/xlsx/patients.xlsx"
measure "vakt check, xlsx, full survey pack" "$xlsx_rows" 0,1 "$vakt" check --format json "$dir/xlsx/patients.xlsx"
measure "vakt check, xlsx, column rules" "$xlsx_rows" 0,1 "$vakt" check --rules "$packs/columns.toml" --format json "$dir/xlsx/patients.xlsx"
echo "($runs runs after one warm-up; $(nproc) cores; $(date -u +%Y-%m-%d))"
