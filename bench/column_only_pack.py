#!/usr/bin/env python3
"""Writes the survey pack with only its column rules: every [[table.rule]], relation, count,
consistency and cardinality block removed. Used by bench/national.sh to compare side by side.

usage: column_only_pack.py rules/group-therapy-survey.toml OUT.toml
"""
import sys

DROP = ("[[table.rule]]", "[[table.relation]]", "[[table.count]]", "[[table.consistent]]", "[[table.cardinality]]")
src, out = sys.argv[1], sys.argv[2]
lines, keep = [], True
for line in open(src, encoding="utf-8"):
    s = line.strip()
    if s.startswith("[[") or (s.startswith("[") and not s.startswith("[[")) or s.startswith("# ---"):
        keep = not s.startswith(DROP)
    if keep:
        lines.append(line)
open(out, "w", encoding="utf-8").write("".join(lines))
