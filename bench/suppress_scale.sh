#!/usr/bin/env bash
# Suppression on the survey's tables, small to large, for one or two builds side by side: each
# table run RUNS times per build (alternating), reporting min / median / max wall seconds, the
# cells, the primary and secondary suppressions, and whether `vakt audit` passes the published
# CSV. A command that fails stops the script (a failed run is never a number); so does a table
# whose pattern differs between runs of one build (the output must be deterministic).
#
# usage: bash bench/suppress_scale.sh [RUNS] [OTHER_VAKT_BINARY] [TABLES]
#   RUNS       runs per table and build (default 3)
#   OTHER      a second vakt binary (an earlier build) to compare with; "-" for none
#   TABLES     "small" (the documented tables, seconds), or "all" (adds main diagnosis x group
#              type, 2,390 cells, and setting x main diagnosis x group type, 7,170 cells: minutes)
# needs: GNU time (/usr/bin/time). Data under target/bench/suppress/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
other=${2:--}
which=${3:-small}
dir=target/bench/suppress
mkdir -p "$dir"
cargo build --release --quiet --bin vakt --bin vakt-synth
vakt=$PWD/target/release/vakt
if [ ! -s "$dir/clean/patients.csv" ]; then
  target/release/vakt-synth --out "$dir/set" --seed 1 --clean >/dev/null
  "$vakt" keygen --project bench --out "$dir/bench.key" >/dev/null
  "$vakt" clean "$dir"/set/returns/* --key "$dir/bench.key" --domain bench --out "$dir/clean" --force >/dev/null
fi
c=$dir/clean
pg="$c/patients.csv --join $c/groups.csv:authority_code,group_id"
gu="$c/groups.csv --join $c/units.csv:authority_code,unit_id"
tables=(
  "setting x group type (groups)|$gu --rows setting --cols group_type"
  "dx group x group type (patients)|$pg --rows dx_group --cols group_type --count-distinct patient_id"
  "profession x training (therapists)|$c/therapists.csv --rows profession --cols gt_training"
  "setting x dx group x group type (patients)|$pg --join $c/units.csv:authority_code,unit_id --layers setting --rows dx_group --cols group_type --count-distinct patient_id"
)
if [ "$which" = all ]; then
  tables+=(
    "main dx x group type (patients)|$pg --rows main_dx --cols group_type --count-distinct patient_id"
    "main dx within dx group x group type (patients, hierarchy)|$pg --rows main_dx --rows-within dx_group --cols group_type --count-distinct patient_id"
    "setting x main dx x group type (patients)|$pg --join $c/units.csv:authority_code,unit_id --layers setting --rows main_dx --cols group_type --count-distinct patient_id"
  )
fi
builds=("$vakt")
[ "$other" != - ] && builds+=("$other")

# run BIN OUT ARGS...: one timed tabulate; prints seconds; stops on failure.
run() {
  local bin=$1 out=$2; shift 2
  rm -rf "$out"
  local status=0
  # shellcheck disable=SC2068
  /usr/bin/time -o "$dir/time.txt" -f '%e' "$bin" tabulate $@ --out "$out" >"$dir/out.txt" 2>"$dir/err.txt" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "bench/suppress_scale.sh: failed (exit $status): $bin tabulate $* --out $out" >&2
    tail -5 "$dir/err.txt" >&2
    exit 1
  fi
  tail -1 "$dir/time.txt"
}

echo "| table | build | cells | primary | secondary | seconds min / median / max | vakt audit |"
echo "|---|---|---:|---:|---:|---:|---|"
for entry in "${tables[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  declare -A times=()
  for r in $(seq "$runs"); do
    for b in "${!builds[@]}"; do
      t=$(run "${builds[$b]}" "$dir/out-$b-$r" "$args")
      times[$b]="${times[$b]:-} $t"
      if [ "$r" -gt 1 ] && ! cmp -s "$dir/out-$b-1/table.csv" "$dir/out-$b-$r/table.csv"; then
        echo "bench/suppress_scale.sh: '$name' gave two patterns with ${builds[$b]}" >&2
        exit 1
      fi
    done
  done
  for b in "${!builds[@]}"; do
    read -r cells primary secondary < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
print(a["cells"], a["primary"], a["secondary"])' "$dir/out-$b-1/audit.json")
    # vakt audit: 0 safe, 1 risks found (a result), 2 could not audit (a failure).
    status=0
    "${builds[0]}" audit --format json --threshold 5 "$dir/out-$b-1/table.csv" >"$dir/audit.json" 2>"$dir/err.txt" || status=$?
    if [ "$status" -gt 1 ]; then
      echo "bench/suppress_scale.sh: vakt audit failed (exit $status) on $dir/out-$b-1/table.csv" >&2
      tail -5 "$dir/err.txt" >&2
      exit 1
    fi
    verdict=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["risks"]
print("safe" if not r else "; ".join(x["message"] for x in r[:2]))' "$dir/audit.json")
    label=$([ "$b" = 0 ] && echo "this build" || echo "other")
    printf '%s\n' ${times[$b]} | sort -g | awk -v n="$name" -v l="$label" -v c="$cells" -v p="$primary" -v s="$secondary" -v v="$verdict" '
      { t[NR] = $1 } END {
        med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "| %s | %s | %d | %d | %d | %.2f / %.2f / %.2f | %s |\n", n, l, c, p, s, t[1], med, t[NR], v }'
  done
  unset times
done
echo
echo "($runs runs per build, alternating; $(nproc) cores; $(date -u +%Y-%m-%d))"
