#!/usr/bin/env bash
# What a plugin costs: one check (sessions attended above a maximum) as a built-in expression and
# as a Python plugin at batch sizes 1, 100, 1000 and 10000, side by side in one run on the same
# Patients table, each run RUNS times; prints the median and the spread of the wall time, rows/s,
# and the plugin's cost per row on top of the built-in.
#
# usage: bash bench/plugins.sh [ROWS] [RUNS]      (defaults 200000 and 5)
# needs: python3. Writes under target/bench/plugins/. Every run must exit 0 or 1 (findings); any
# other status stops the script with the command's output.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-200000}
runs=${2:-5}
dir=target/bench/plugins
mkdir -p "$dir"
cargo build --release --quiet --bin vakt
vakt=$PWD/target/release/vakt
[ -s "$dir/patients-$rows.csv" ] || python3 bench/gen_patients.py "$dir/patients-$rows.csv" "$rows"
data=$dir/patients-$rows.csv

# The column rules of the survey pack, with the check added as a built-in or as a plugin entry.
ln -sfn "$PWD/rules/codelists" "$dir/codelists"
ln -sfn "$PWD/rules/icd10-chapter-v.csv" "$dir/icd10-chapter-v.csv"
python3 bench/column_only_pack.py rules/group-therapy-survey.toml "$dir/base.toml"
add_to_patients() { # OUT ENTRY [TAIL]
  python3 - "$dir/base.toml" "$1" "$2" "${3:-}" <<'PY'
import sys
src, out, entry, tail = sys.argv[1:5]
s = open(src, encoding="utf-8").read()
at = s.index('[[table]]\nname = "patients"')
at = s.index("\n[[table.column]]", at)
open(out, "w", encoding="utf-8").write(s[:at] + "\n" + entry + "\n" + s[at:] + tail)
PY
}
add_to_patients "$dir/builtin.toml" '[[table.rule]]
name = "attendance-cap"
assert = "sessions_attended <= 38"
message = "{sessions_attended} is above 38"
severity = "warning"'
for batch in 1 100 1000 10000; do
  add_to_patients "$dir/plugin-$batch.toml" '[[table.check]]
kind = "attendance-cap"
columns = ["sessions_attended"]
params = { max = 38 }' "
[[plugin]]
name = \"cap\"
command = [\"python3\", \"$PWD/bench/cap_plugin.py\"]
batch = $batch
timeout = 120
"
done

# time_runs LABEL PACK: RUNS timed runs; prints "median min max" seconds.
time_runs() {
  local pack=$1 times=()
  for _ in $(seq "$runs"); do
    local start end status=0
    start=$(date +%s.%N)
    "$vakt" check --rules "$pack" --format json "$data" > "$dir/out.json" 2> "$dir/err.txt" || status=$?
    end=$(date +%s.%N)
    if [ "$status" -gt 1 ]; then
      echo "FAILED (exit $status): $vakt check --rules $pack $data" >&2
      cat "$dir/err.txt" >&2
      exit 1
    fi
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%s %s %s\n", t[int((NR + 1) / 2)], t[1], t[NR] }'
}

echo "$rows rows, $runs runs each (median, min-max); plugin cost = (plugin - built-in) / rows"
echo
echo "| check | seconds (median) | spread | rows/s | plugin cost per row |"
echo "|---|---:|---:|---:|---:|"
read -r base_s base_lo base_hi < <(time_runs "$dir/base.toml")
printf '| column rules only | %.3f | %.3f-%.3f | %.0f | |\n' "$base_s" "$base_lo" "$base_hi" "$(echo "$rows / $base_s" | bc -l)"
read -r built_s built_lo built_hi < <(time_runs "$dir/builtin.toml")
printf '| + the cap as a built-in expression | %.3f | %.3f-%.3f | %.0f | |\n' "$built_s" "$built_lo" "$built_hi" "$(echo "$rows / $built_s" | bc -l)"
for batch in 10000 1000 100 1; do
  read -r s lo hi < <(time_runs "$dir/plugin-$batch.toml")
  cost=$(echo "($s - $built_s) * 1000000 / $rows" | bc -l)
  printf '| + the cap as a Python plugin, batch %s | %.3f | %.3f-%.3f | %.0f | %.2f µs |\n' "$batch" "$s" "$lo" "$hi" "$(echo "$rows / $s" | bc -l)" "$cost"
done
