#!/usr/bin/env python3
"""Secondary suppression, side by side on a battery of generated count tables: vakt tabulate
(this build, and an earlier one if given), τ-Argus optimal and modular through pytauargus, and on
the smallest tables the exact minimum found by enumeration. Every output is audited by this
script's own attacker (scipy's linprog, HiGHS; none of vakt's code): per suppressed cell the least
and greatest value the published cells and every relation of the table allow, hidden cells >= 1
because zeros are published.

A primary fails the audit when the attacker recovers it exactly (min == max) or proves it below
the threshold (max < n). The suppressed value of a pattern is the sum of its secondary cells'
true counts (margins included).

usage: python3 bench/suppress_battery.py VAKT [OTHER_VAKT|-] [quick|full]
  quick: 2-D, hierarchical and tiny tables only; full (default): adds the 3-D tables.
needs: pip install pytauargus scipy numpy.  Writes under the working directory: run it through
bench/suppress_battery.sh, which gives it a fresh folder (τ-Argus drops its run files into the
working directory, and its engine has crashed on the files of an earlier run).
Prints a per-table CSV (battery.csv) and a Markdown summary on standard output.
"""
import csv
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time

import numpy as np
from scipy.optimize import linprog

TOTAL = "Total"
TAU_TIME_MINUTES = 1  # OPT(1,1): a real time limit, else "optimal" is the first heuristic answer


# ---------------------------------------------------------------- the generator (seeded, own)

def battery(full):
    """(name, dims, threshold, density) for every table of the battery."""
    shapes = [(3, 3), (3, 4), (5, 5), (8, 10), (12, 15), (15, 20)]
    if full:
        shapes += [(3, 4, 5), (4, 6, 8)]
    # Hierarchies: (groups, most children per group, columns), rows nested in groups.
    shapes += [("h", 4, 5, 6), ("h", 6, 6, 10)]
    densities = {"dense": (20.0, 0.05), "medium": (7.0, 0.15), "sparse": (2.5, 0.35)}
    out = []
    for dims in shapes:
        for n in (3, 5, 10):
            for dname, dens in densities.items():
                name = "x".join(map(str, dims)).replace("hx", "hier") + f"-n{n}-{dname}"
                out.append((name, dims, n, dens))
    return out


def counts_of(name, dims, density):
    """Interior counts: zero with probability z, else a rounded log-normal around the mean."""
    mean, z = density
    rng = random.Random(name)
    cells = {}
    names = ["l", "r", "c"][-len(dims):]
    for idx in itertools.product(*[range(d) for d in dims]):
        key = tuple(f"{names[i]}{v:02d}" for i, v in enumerate(idx))
        cells[key] = 0 if rng.random() < z else max(1, round(rng.lognormvariate(math.log(mean), 1.0)))
    return cells


def hier_counts(name, shape, density):
    """A hierarchy's interior counts, keyed (group, row, column); rows `A0`, `A1`, ... of group
    `A` (2 to `most` per group)."""
    _, groups, most, cols = shape
    mean, z = density
    rng = random.Random(name)
    cells = {}
    for g in "ABCDEFGH"[:groups]:
        for i in range(rng.randint(2, most)):
            for c in range(cols):
                v = 0 if rng.random() < z else max(1, round(rng.lognormvariate(math.log(mean), 1.0)))
                cells[(g, f"{g}{i}", f"c{c:02d}")] = v
    return cells


def hier_table(interior):
    """Every cell of a hierarchical table (a subtotal row per group, a grand total row, a total
    column) and its relations."""
    cols = sorted({k[2] for k in interior}) + [TOTAL]
    rows = sorted({(g, r) for g, r, _ in interior})
    groups = sorted({g for g, _ in rows})
    row_keys = rows + [(g, TOTAL) for g in groups] + [(TOTAL, TOTAL)]

    def value(g, r, c):
        return sum(v for (kg, kr, kc), v in interior.items()
                   if (g == TOTAL or kg == g) and (r == TOTAL or kr == r) and (c == TOTAL or kc == c))

    table = {(g, r, c): value(g, r, c) for g, r in row_keys for c in cols}
    rels = [((g, r, TOTAL), [(g, r, c) for c in cols[:-1]]) for g, r in row_keys]
    for c in cols:
        for g in groups:
            rels.append(((g, TOTAL, c), [(g, r, c) for kg, r in rows if kg == g]))
        rels.append(((TOTAL, TOTAL, c), [(g, TOTAL, c) for g in groups]))
    return table, rels


def full_table(dims_labels, interior):
    """Every cell of the table with its margins: a key holds a label or TOTAL per dimension."""
    axes = [labels + [TOTAL] for labels in dims_labels]
    table = {}
    for key in itertools.product(*axes):
        table[key] = sum(v for k, v in interior.items()
                         if all(a == TOTAL or a == b for a, b in zip(key, k)))
    return table


def relations(dims_labels):
    """Each relation as (parent, children): one per dimension and assignment of the others."""
    axes = [labels + [TOTAL] for labels in dims_labels]
    rels = []
    for d, labels in enumerate(dims_labels):
        others = [axes[i] if i != d else [None] for i in range(len(axes))]
        for fixed in itertools.product(*others):
            parent = tuple(TOTAL if i == d else fixed[i] for i in range(len(axes)))
            children = [tuple(lab if i == d else fixed[i] for i in range(len(axes))) for lab in labels]
            rels.append((parent, children))
    return rels


# ---------------------------------------------------------------- the attacker (independent LP)

def audit(table, rels, hidden, n, primaries):
    """Per hidden cell the attacker's [min, max]; returns (exact primaries, provably small)."""
    hidden = sorted(hidden)
    if not hidden:
        return 0, 0
    index = {c: i for i, c in enumerate(hidden)}
    rows, rhs = [], []
    for parent, children in rels:
        cells = [parent] + children
        if not any(c in index for c in cells):
            continue
        row = np.zeros(len(hidden))
        b = 0.0
        for c, sign in [(parent, -1.0)] + [(ch, 1.0) for ch in children]:
            if c in index:
                row[index[c]] += sign
            else:
                b -= sign * table[c]
        rows.append(row)
        rhs.append(b)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    bounds = [(min(1, table[c]), None) for c in hidden]
    exact = small = 0
    for c in hidden:
        if c not in primaries:
            continue
        obj = np.zeros(len(hidden))
        obj[index[c]] = 1.0
        lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if lo.status != 0 or hi.status not in (0, 3):
            raise RuntimeError(f"attacker LP failed ({lo.message}; {hi.message}) on cell {c}")
        top = math.inf if hi.status == 3 else -hi.fun
        if top - lo.fun < 1e-6:
            exact += 1
        elif top < n - 1e-6:
            small += 1
    return exact, small


# ---------------------------------------------------------------- the methods

def write_micro(path, names, interior):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for key, v in sorted(interior.items()):
            for _ in range(v):
                w.writerow(key)
    return names


def run_vakt(vakt, micro, names, n, out, hier=False):
    args = [vakt, "tabulate", micro, "--threshold", str(n), "--out", out, "-q", "--lang", "en"]
    if hier:
        args += ["--rows-within", names[0]]
    elif len(names) == 3:
        args += ["--layers", names[0]]
    args += ["--rows", names[-2], "--cols", names[-1]]
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0 and hier and "unexpected argument '--rows-within'" in done.stderr:
        return None, seconds  # an earlier build without hierarchies: reported as not run
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed (exit {done.returncode}): {done.stderr.strip()}")
    hidden = set()
    with open(os.path.join(out, "audit.json")) as f:
        proven = json.load(f).get("optimisation", {}).get("proven_optimal", False)
    with open(os.path.join(out, "table.csv"), newline="") as f:
        rows = list(csv.reader(f))
    labels = len(names) - 1
    cols = rows[0][labels:]
    for row in rows[1:]:
        for col, cell in zip(cols, row[labels:]):
            if cell == ":":
                hidden.add(tuple(row[:labels]) + (col,))
    return (hidden, proven), seconds


def run_tau(micro_rows, names, n, method, work, hier=False):
    """τ-Argus through pytauargus; a hierarchy as an .hrc file of the rows (groups, then their
    rows led by @), its cells mapped back to (group, row, column)."""
    from pytauargus import protect

    os.makedirs(work, exist_ok=True)
    options = {}
    if hier:
        group_of = {r: g for g, r, _ in micro_rows}
        hrc = os.path.join(work, "rows.hrc")
        with open(hrc, "w") as f:
            for g in sorted(set(group_of.values())):
                f.write(g + "\n" + "".join(f"@{r}\n" for r in sorted(group_of) if group_of[r] == g))
        options = dict(hrc={names[1]: hrc}, hierleadstring="@")
        used = names[1:]
        rows = [r[1:] for r in micro_rows]
    else:
        used, rows = names, micro_rows
    data = {name: [r[i] for r in rows] for i, name in enumerate(used)}
    data["n"] = [1] * len(rows)
    t0 = time.perf_counter()
    res = protect(data, [used], "n", safety_rules=f"FREQ({n},30)", suppress=method, workdir=work, **options)
    seconds = time.perf_counter() - t0
    hidden = set()
    for cell in res.tables[0].rows:
        if cell["status"] in ("U", "M", "D"):
            key = tuple(str(cell[v]).strip() for v in used)
            if hier:
                r = key[0]
                g = group_of.get(r, r)
                key = (g, r if r in group_of else TOTAL) + key[1:]
            hidden.add(key)
    return hidden, seconds


def exact_minimum(table, rels, n, primaries, limit=20000):
    """The cheapest set of secondaries (by suppressed value) that passes the audit, by enumerating
    candidate sets in order of value; None past `limit` audited sets."""
    candidates = sorted(c for c, v in table.items() if v > 0 and c not in primaries)
    if len(candidates) > 20:
        return None
    options = []
    for k in range(len(candidates) + 1):
        for combo in itertools.combinations(candidates, k):
            options.append((sum(table[c] for c in combo), k, combo))
    options.sort()
    audited = 0
    for value, k, combo in options:
        hidden = set(primaries) | set(combo)
        # Necessary: no relation holds exactly one hidden cell (it would be its difference).
        if any(sum(c in hidden for c in [p] + ch) == 1 for p, ch in rels):
            continue
        audited += 1
        if audited > limit:
            return None
        if audit(table, rels, hidden, n, primaries) == (0, 0):
            return hidden
    return None


# ---------------------------------------------------------------- one table, all methods

def one_table(spec, vakts, work):
    name, dims, n, density = spec
    hier = dims[0] == "h"
    if hier:
        interior = hier_counts(name, dims, density)
        table, rels = hier_table(interior)
        kind = "hierarchy"
        dims_labels = [sorted({k[i] for k in interior}) for i in range(3)]
    else:
        interior = counts_of(name, dims, density)
        dims_labels = [sorted({k[i] for k in interior}) for i in range(len(dims))]
        table = full_table(dims_labels, interior)
        rels = relations(dims_labels)
        kind = f"{len(dims)}-D"
    primaries = {c for c, v in table.items() if 0 < v < n}
    grand = tuple([TOTAL] * len(dims_labels))
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    micro = os.path.join(d, "micro.csv")
    names = ["g", "r", "c"] if hier else ["l", "r", "c"][-len(dims_labels):]
    write_micro(micro, names, interior)
    micro_rows = [k for k, v in sorted(interior.items()) for _ in range(v)]
    results = []

    def record(method, hidden, seconds):
        if hidden is None:
            results.append(dict(table=name, method=method, done=False))
            return
        secondary = hidden - primaries
        exact, small = audit(table, rels, hidden, n, primaries)
        results.append(dict(
            table=name, kind=kind, cells=len(table), threshold=n, method=method, done=True,
            primary=len(primaries & hidden), missing_primary=len(primaries - hidden),
            secondary=len(secondary), value=sum(table[c] for c in secondary),
            grand_total_hidden=grand in hidden, exact=exact, small=small,
            passes=exact == 0 and small == 0 and not (primaries - hidden), seconds=seconds))

    for label, vakt in vakts:
        found, seconds = run_vakt(vakt, micro, names, n, os.path.join(d, label), hier)
        hidden, proven = found if found else (None, False)
        record(label, hidden, seconds)
        results[-1]["proven"] = proven
    for method in (f"OPT(1,{TAU_TIME_MINUTES})", "MOD(1)"):
        label = "tau-argus " + method.split("(")[0].lower().replace("opt", "optimal").replace("mod", "modular")
        hidden, seconds = run_tau(micro_rows, names, n, method, os.path.join(d, label.replace(" ", "-")), hier)
        record(label, hidden, seconds)
    if len(table) <= 20:
        t0 = time.perf_counter()
        hidden = exact_minimum(table, rels, n, primaries)
        record("exact minimum", hidden, time.perf_counter() - t0)
    return results


def summary(rows, methods):
    by = {}
    for r in rows:
        by.setdefault(r["table"], {})[r["method"]] = r
    kinds = ["2-D", "3-D", "hierarchy"]
    lines = ["| method | tables | with an exact recovery | with a cell provably < n | grand total hidden "
             "| mean secondaries | mean suppressed value | mean seconds " + " / ".join(kinds) + " |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
    for m in methods:
        rs = [r for r in rows if r["method"] == m and r["done"]]
        if not rs:
            continue
        times = " / ".join(f"{mean([r['seconds'] for r in rs if r['kind'] == k]):.2f}" for k in kinds)
        lines.append(
            f"| {m} | {len(rs)} | {sum(r['exact'] > 0 for r in rs)} | {sum(r['small'] > 0 for r in rs)} "
            f"| {sum(r['grand_total_hidden'] for r in rs)} | {mean([r['secondary'] for r in rs]):.1f} "
            f"| {mean([r['value'] for r in rs]):.1f} | {times} |")
    # vakt against every other method whose output passes on the same table
    v = methods[0]
    worse, compared, ratio_num, ratio_den = [], 0, 0, 0
    for t, ms in by.items():
        if v not in ms or not ms[v]["done"]:
            continue
        opt = ms.get(f"tau-argus optimal")
        if opt and opt["done"]:
            ratio_num += ms[v]["value"]
            ratio_den += opt["value"]
        for m, r in ms.items():
            if m == v or not r["done"] or not r["passes"]:
                continue
            compared += 1
            if r["value"] < ms[v]["value"]:
                worse.append(f"{t}: {m} {r['value']} < {ms[v]['value']}")
    lines.append("")
    lines.append(f"{v}: total suppressed value / τ-Argus optimal's on the same tables: "
                 f"{ratio_num} / {ratio_den} = {ratio_num / max(ratio_den, 1):.2f}")
    for kind in kinds:
        pairs = [(ms[v]["value"], ms["tau-argus optimal"]["value"]) for ms in by.values()
                 if ms.get(v, {}).get("done") and ms.get("tau-argus optimal", {}).get("done")
                 and ms[v]["kind"] == kind]
        a, b = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        lines.append(f"  {kind}: {a} / {b} = {a / max(b, 1):.2f} ({len(pairs)} tables)")
    passing = [(ms[v]["value"], ms["tau-argus optimal"]["value"]) for ms in by.values()
               if ms.get(v, {}).get("done") and ms.get("tau-argus optimal", {}).get("passes")]
    a, b = sum(p[0] for p in passing), sum(p[1] for p in passing)
    lines.append(f"  on the {len(passing)} tables where τ-Argus optimal's pattern passes the audit: "
                 f"{a} / {b} = {a / max(b, 1):.2f}")
    # The least mean value any method with no audit failure can reach: on a table where vakt's
    # pattern is proven the cheapest under the criterion (its search, or the exact enumeration),
    # no passing pattern is cheaper; elsewhere count 0. Against τ-Argus optimal's total.
    floor, tau_total, settled = 0, 0, 0
    for ms in by.values():
        if not (ms.get(v, {}).get("done") and ms.get("tau-argus optimal", {}).get("done")):
            continue
        tau_total += ms["tau-argus optimal"]["value"]
        exact_done = ms.get("exact minimum", {}).get("done")
        if (ms[v].get("proven") and ms[v]["passes"]) or exact_done:
            floor += ms["exact minimum"]["value"] if exact_done else ms[v]["value"]
            settled += 1
    lines.append(f"floor for any method with no audit failure: at least {floor} / {tau_total} = "
                 f"{floor / max(tau_total, 1):.2f} × τ-Argus optimal's total value (the {settled} tables "
                 f"whose cheapest passing pattern is proven; 0 counted for the others)")
    exact = [(ms[v]["value"], ms["exact minimum"]["value"]) for ms in by.values()
             if ms.get(v, {}).get("done") and ms.get("exact minimum", {}).get("done")]
    for m in methods:
        rs = [r for r in rows if r["method"] == m and r["done"] and "proven" in r]
        if rs:
            lines.append(f"{m}: proven the cheapest pattern under its criterion (audit.json) in "
                         f"{sum(bool(r['proven']) for r in rs)} of {len(rs)} tables")
    lines.append(f"{v} against the exact minimum (enumeration): equal on "
                 f"{sum(x == y for x, y in exact)} of {len(exact)} tables, "
                 f"total {sum(x for x, _ in exact)} / {sum(y for _, y in exact)}")
    lines.append(f"{v}: (table, other method) pairs where the other passes the audit: {compared}; "
                 f"where it is cheaper than {v}: {len(worse)}")
    lines += ["  " + w for w in worse]
    return "\n".join(lines)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    vakts = [("vakt", os.path.abspath(sys.argv[1]))]
    if len(sys.argv) > 2 and sys.argv[2] != "-":
        vakts.append(("vakt before", os.path.abspath(sys.argv[2])))
    full = (sys.argv[3] if len(sys.argv) > 3 else "full") == "full"
    work = os.path.abspath("battery")
    os.makedirs(work, exist_ok=True)
    rows = []
    specs = battery(full)
    for i, spec in enumerate(specs):
        print(f"[{i + 1}/{len(specs)}] {spec[0]}", file=sys.stderr, flush=True)
        rows += one_table(spec, vakts, work)
    fields = ["table", "kind", "cells", "threshold", "method", "done", "primary", "missing_primary",
              "secondary", "value", "grand_total_hidden", "exact", "small", "passes", "proven", "seconds"]
    with open("battery.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{r[k]:.3f}" if k == "seconds" and k in r else r.get(k, "")) for k in fields})
    methods = [label for label, _ in vakts] + ["tau-argus optimal", "tau-argus modular", "exact minimum"]
    print(summary(rows, methods))


if __name__ == "__main__":
    main()
