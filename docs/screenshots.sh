#!/usr/bin/env bash
# Makes the README's pictures from the shipped fixtures: the HTML report rendered by headless
# Chromium (docs/report.png) and a page of the feedback workbook rendered by LibreOffice
# (docs/feedback.png). Needs: chromium, libreoffice-calc, poppler-utils (Debian packages).
# Run from the repository root: bash docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in chromium soffice pdftoppm pdftotext; do
  command -v "$tool" >/dev/null || { echo "docs/screenshots.sh: $tool is not installed" >&2; exit 1; }
done
cargo build --release --quiet
work=target/screenshots
rm -rf "$work" && mkdir -p "$work"
status=0
target/release/vakt check fixtures/returns/messy.xlsx fixtures/returns/HN-FIN fixtures/returns/clean.xlsx \
  --feedback "$work" --html "$work/report.html" --lang nb >/dev/null || status=$?
# 1 = findings (expected: the messy fixtures have errors); anything else is a failure.
[ "$status" -eq 1 ] || { echo "vakt check exited $status" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --hide-scrollbars --window-size=1200,1500 \
  --screenshot="$PWD/docs/report.png" "file://$PWD/$work/report.html" 2>/dev/null
(cd "$work" && soffice --headless --convert-to pdf messy-tilbakemelding.xlsx >/dev/null 2>&1)
# The page holding the Grupper sheet (the one with most findings).
pdf="$work/messy-tilbakemelding.pdf"
pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/{print $2}' || echo 20)
page=1
for i in $(seq 1 "${pages:-20}"); do
  if pdftotext -f "$i" -l "$i" "$pdf" - 2>/dev/null | grep -q "^Grupper 2009"; then page=$i; break; fi
done
pdftoppm -f "$page" -l "$page" -r 150 -x 60 -y 90 -W 1460 -H 140 -png -singlefile "$pdf" docs/feedback
ls -la docs/report.png docs/feedback.png
