#!/usr/bin/env python3
"""Side by side: the survey's publication tables through vakt tabulate, pytauargus (OPT and MOD)
and ACRO, each result audited with `vakt audit` (threshold 5).

usage: python3 bench/disclosure_compare.py CLEAN_DIR VAKT_BINARY
needs: pip install pytauargus acro pandas
Prints a Markdown table for docs/disclosure.md.
"""
import collections
import json
import os
import subprocess
import sys

import pandas as pd

clean, vakt = sys.argv[1], sys.argv[2]
patients = pd.read_csv(os.path.join(clean, "patients.csv"), dtype=str)
groups = pd.read_csv(os.path.join(clean, "groups.csv"), dtype=str)
units = pd.read_csv(os.path.join(clean, "units.csv"), dtype=str)
dx = patients.merge(groups[["authority_code", "group_id", "group_type"]], on=["authority_code", "group_id"])
st = groups.merge(units[["authority_code", "unit_id", "setting"]], on=["authority_code", "unit_id"])
TABLES = [("dx_group × group_type (patients)", dx, "dx_group", "group_type"), ("setting × group_type (groups)", st, "setting", "group_type")]
N = 5
# Everything is written under the working directory (bench/disclosure.sh runs this in target/).
work = os.path.abspath("tables")
os.makedirs(work, exist_ok=True)


def audit(frame, name):
    """Writes a people-made table (suppressed as ':') and runs vakt audit on it."""
    path = os.path.join(work, name + ".csv")
    frame.to_csv(path)
    out = subprocess.run([vakt, "audit", "--format", "json", "--threshold", str(N), path], capture_output=True, text=True)
    if out.returncode == 2:
        return "unreadable: " + out.stderr.strip()
    risks = json.loads(out.stdout)["risks"]
    if not risks:
        return "safe"
    kinds = collections.Counter(r["kind"] for r in risks)
    return ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))


def shape(values, rows, cols, suppressed):
    """A row × column table with totals from a dict (row, col) -> value, suppressed cells as ':'."""
    rl = sorted({r for r, _ in values if r != "Total"}) + ["Total"]
    cl = sorted({c for _, c in values if c != "Total"}) + ["Total"]
    data = [[":" if (r, c) in suppressed else int(values.get((r, c), 0)) for c in cl] for r in rl]
    return pd.DataFrame(data, index=pd.Index(rl, name=rows), columns=cl)


lines = ["| table | tool and method | primary | secondary | `vakt audit` of the output |", "|---|---|---:|---:|---|"]
for title, frame, rows, cols in TABLES:
    # vakt
    data = os.path.join(work, "data.csv")
    frame[[rows, cols]].to_csv(data, index=False)
    out_dir = os.path.join(work, "vakt-" + rows)
    subprocess.run([vakt, "tabulate", data, "--rows", rows, "--cols", cols, "--threshold", str(N), "--out", out_dir], check=True, capture_output=True)
    a = json.load(open(os.path.join(out_dir, "audit.json")))
    res = subprocess.run([vakt, "audit", "--format", "json", "--threshold", str(N), os.path.join(out_dir, "table.csv")], capture_output=True, text=True)
    verdict = "safe" if json.loads(res.stdout)["safe"] else "risks"
    lines.append(f"| {title} | vakt tabulate (Gauss + LP) | {a['primary']} | {a['secondary']} | {verdict} |")

    # pytauargus, optimal and modular
    try:
        from pytauargus import protect
        micro = frame[[rows, cols]].copy()
        micro["n"] = 1
        for method in ["OPT(1)", "MOD(1)"]:
            r = protect(micro, [[rows, cols]], "n", safety_rules=f"FREQ({N},0)", suppress=method)
            values, suppressed, status = {}, set(), collections.Counter()
            for cell in r.tables[0].rows:
                key = (cell[rows].strip(), cell[cols].strip())
                values[key] = cell["n"]
                status[cell["status"]] += 1
                if cell["status"] not in ("S", "P", "Z", "E"):
                    suppressed.add(key)
            # τ-Argus statuses: S safe, U unsafe (primary), M and D secondary, E empty, Z zero.
            primary = status.get("U", 0)
            secondary = status.get("M", 0) + status.get("D", 0)
            verdict = audit(shape(values, rows, cols, suppressed), f"tau-{method[:3]}-{rows}")
            lines.append(f"| {title} | pytauargus {method} | {primary} | {secondary} | {verdict} |")
    except Exception as e:  # reported, not hidden
        lines.append(f"| {title} | pytauargus | - | - | did not run: {type(e).__name__}: {e} |")

    # ACRO: suppression by deleting risky records, then the crosstab again
    try:
        import acro as acro_mod
        a = acro_mod.ACRO(suppress=True)
        a.config["safe_threshold"] = N
        t = a.crosstab(frame[rows], frame[cols], margins=True, margins_name="Total")
        values, suppressed = {}, set()
        for r_label, row in t.iterrows():
            for c_label, v in row.items():
                key = (str(r_label), str(c_label))
                if pd.isna(v):
                    suppressed.add(key)
                else:
                    values[key] = v
        verdict = audit(shape(values, rows, cols, suppressed), f"acro-{rows}")
        inner = [k for k in suppressed if "Total" not in k]
        lines.append(f"| {title} | ACRO crosstab, suppress=True | {len(inner)} | 0 | {verdict} |")
    except Exception as e:
        lines.append(f"| {title} | ACRO | - | - | did not run: {type(e).__name__}: {e} |")

print("\n".join(lines))
