#!/usr/bin/env bash
# The survey's publication tables on the synthetic national set (seed 1, scale 1), through vakt
# tabulate, pytauargus (OPT and MOD) and ACRO, every output audited with `vakt audit`.
# usage: bash bench/disclosure.sh        needs: pip install pytauargus acro pandas
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/bench/disclosure
rm -rf "$dir" && mkdir -p "$dir"
cargo build --release --quiet --bin vakt --bin vakt-synth
target/release/vakt-synth --out "$dir/set" --seed 1 --clean >/dev/null
target/release/vakt keygen --project bench --out "$dir/bench.key" >/dev/null
target/release/vakt clean "$dir"/set/returns/* --key "$dir/bench.key" --domain bench --out "$dir/clean" >/dev/null
# τ-Argus writes its run files (CSPlogfile.txt, HiTaS.log, JJUit.dat, cspSCIP.*, ...) into the
# working directory: run the comparison inside target/, not in the repository.
root=$(pwd)
mkdir -p "$dir/work"
(cd "$dir/work" && python3 "$root/bench/disclosure_compare.py" "$root/$dir/clean" "$root/target/release/vakt")
