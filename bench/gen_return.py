#!/usr/bin/env python3
"""Writes one whole return as a CSV folder of about ROWS data rows, every relation active: a clean
synthetic return from vakt-synth (HMN-STO, UTF-8 with `,`) repeated K times with fresh group and
patient ids, so the patients' groups, the groups' units and therapists, the counts and the return's
n_groups all hold. One `vakt check` of the folder runs every rule kind of the survey pack.

usage: gen_return.py SOURCE_RETURN_DIR OUT_DIR ROWS
Standard library only. Identity numbers become local record numbers (`EPJ-...`): a repeated
fødselsnummer would be one person in many groups.
"""
import csv
import os
import sys


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    src, out, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    t = {name[:-4]: read(os.path.join(src, name)) for name in os.listdir(src) if name.endswith(".csv")}
    per_copy = sum(len(rows) for name, (_, rows) in t.items() if name in ("groups", "patients", "group_therapists"))
    k = max(1, target // per_copy)
    col = lambda table, name: t[table][0].index(name)

    gh, groups = t["groups"]
    ph, patients = t["patients"]
    th, gts = t["group_therapists"]
    g_id, p_gid, p_pid, gt_gid = col("groups", "Group id"), col("patients", "Group id"), col("patients", "Patient id"), col("group_therapists", "Group id")
    out_groups, out_patients, out_gts = [], [], []
    for c in range(k):
        for g in groups:
            g = list(g)
            g[g_id] = f"{g[g_id]}-{c:05d}"
            out_groups.append(g)
        for n, p in enumerate(patients):
            p = list(p)
            p[p_gid] = f"{p[p_gid]}-{c:05d}"
            p[p_pid] = f"EPJ-{c:05d}-{n:05d}"
            out_patients.append(p)
        for gt in gts:
            gt = list(gt)
            gt[gt_gid] = f"{gt[gt_gid]}-{c:05d}"
            out_gts.append(gt)
    sh, sub = t["submission"]
    sub[0][sh.index("N groups")] = str(len(out_groups))
    write(os.path.join(out, "submission.csv"), sh, sub)
    write(os.path.join(out, "units.csv"), *t["units"])
    write(os.path.join(out, "therapists.csv"), *t["therapists"])
    write(os.path.join(out, "groups.csv"), gh, out_groups)
    write(os.path.join(out, "patients.csv"), ph, out_patients)
    write(os.path.join(out, "group_therapists.csv"), th, out_gts)
    rows = 1 + len(t["units"][1]) + len(t["therapists"][1]) + len(out_groups) + len(out_patients) + len(out_gts)
    print(rows)


if __name__ == "__main__":
    main()
