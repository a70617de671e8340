#!/usr/bin/env bash
# Two builds of vakt side by side on one command: RUNS runs each, alternating (so a machine that
# slows down mid-run slows both), after one warm-up each; min / median / max wall seconds and the
# peak memory of each build. The two builds must give byte-identical standard output (the JSON
# report of `check`) and, for `clean`, identical output folders; a run that exits with anything
# but 0 or 1 stops the script with its error output: a failed run is never a number.
#
# usage: bash bench/ab.sh BEFORE_BINARY AFTER_BINARY RUNS ARGS...
#   ARGS   the vakt arguments; the word OUT in them is replaced by a folder per build
# example: bash bench/ab.sh /tmp/vakt-old target/release/vakt 5 check --format json ret.xlsx
# needs: GNU time (/usr/bin/time), python3.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,12p' "$0"; exit 2; }
before=$1 after=$2 runs=$3; shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
builds=("$before" "$after")

# once B: one timed run of build B; appends "seconds peak_kib" to $work/times-B.
once() {
  local b=$1 status=0
  local args=("${@:2}")
  args=("${args[@]//OUT/$work/out-$b}")
  /usr/bin/time -o "$work/time" -f '%e %M' "${builds[$b]}" "${args[@]}" >"$work/stdout-$b" 2>"$work/stderr" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "bench/ab.sh: failed (exit $status): ${builds[$b]} ${args[*]}" >&2
    tail -20 "$work/stderr" >&2
    exit 1
  fi
  tail -1 "$work/time" >>"$work/times-$b"
}

for b in 0 1; do once "$b" "$@"; : >"$work/times-$b"; done
for _ in $(seq "$runs"); do
  for b in 0 1; do once "$b" "$@"; done
done
# Each build's output folder is named in what it prints: compared as OUT.
for b in 0 1; do sed -i "s|$work/out-$b|OUT|g" "$work/stdout-$b"; done
if ! cmp -s "$work/stdout-0" "$work/stdout-1"; then
  echo "bench/ab.sh: the two builds printed different output" >&2
  exit 1
fi
if [ -d "$work/out-0" ] && ! diff -r "$work/out-0" "$work/out-1" >/dev/null; then
  echo "bench/ab.sh: the two builds wrote different output folders" >&2
  exit 1
fi
echo "| build | seconds min / median / max | peak MiB |"
echo "|---|---:|---:|"
for b in 0 1; do
  sort -g "$work/times-$b" | awk -v l="${builds[$b]}" '
    { t[NR] = $1; if ($2 > k) k = $2 } END {
      med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| %s | %.2f / %.2f / %.2f | %.0f |\n", l, t[1], med, t[NR], k / 1024 }'
done
echo "(vakt ${*}; $runs runs each, alternating, after a warm-up; outputs identical; $(nproc) cores; $(date -u +%Y-%m-%d))"
