#!/usr/bin/env bash
# Secondary suppression side by side on a battery of generated count tables (2-D, 3-D, a
# hierarchy; thresholds 3, 5, 10; dense to sparse): vakt tabulate (this build, and an earlier
# build if given), τ-Argus optimal and modular (pytauargus), and the exact minimum on the smallest
# tables, every output audited by the script's own LP attacker (scipy). Prints the Markdown
# summary docs/disclosure.md quotes; the per-table results are in target/bench/battery/battery.csv.
# A vakt run that fails stops the script (a failed run is never a number).
#
# usage: bash bench/suppress_battery.sh [OTHER_VAKT_BINARY|-] [quick|full]
# needs: pip install pytauargus scipy numpy (minutes: about four for "full" on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
other=${1:--}
which=${2:-full}
cargo build --release --quiet --bin vakt
python3 -c "import pytauargus, scipy, numpy" || {
  echo "bench/suppress_battery.sh: needs pytauargus, scipy and numpy (pip install pytauargus scipy numpy)" >&2
  exit 1
}
root=$PWD
dir=target/bench/battery
# A fresh folder each run: τ-Argus writes its run files into the working directory.
rm -rf "$dir" && mkdir -p "$dir"
[ "$other" = - ] || other=$(realpath "$other")
(cd "$dir" && python3 "$root/bench/suppress_battery.py" "$root/target/release/vakt" "$other" "$which")
echo
echo "($(nproc) cores; $(date -u +%Y-%m-%d); pytauargus $(python3 -c 'import pytauargus; print(pytauargus.__version__)'))"
