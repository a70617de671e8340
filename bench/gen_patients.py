#!/usr/bin/env python3
"""Writes a synthetic Patients table for the benchmark: N rows as CSV (UTF-8, comma) or xlsx.

usage: gen_patients.py OUT.csv|OUT.xlsx ROWS [--seed S]
About 1 row in 200 carries a defect (bad code, out-of-range year, bad date) so checks do real work.
"""
import random
import sys

HEADER = ["group_id", "patient_id", "birth_year", "sex", "main_dx", "start_date", "end_date", "sessions_attended"]
DX = ["F32.1", "F33.1", "F60.3", "F20.0", "F40.1", "F41.1", "F31.3", "F43.1", "F50.2", "F25.1"]


def rows(n, seed):
    rnd = random.Random(seed)
    for i in range(n):
        g = f"G{i // 6:07d}"
        pid = f"EPJ-{i:09d}"
        year = rnd.randint(1940, 1992)
        sex = rnd.choice("FFFMMU")
        dx = rnd.choice(DX)
        start = f"2008-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        end = "" if rnd.random() < 0.7 else f"2009-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        att = str(rnd.randint(0, 40))
        r = rnd.random()
        if r < 0.001:
            sex = "X"
        elif r < 0.002:
            start = "2008-02-30"
        elif r < 0.003:
            att = "mange"
        elif r < 0.005:
            dx = ""
        yield [g, pid, year, sex, dx, start, end, att]


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    if out.endswith(".xlsx"):
        import openpyxl
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Patients")
        ws.append(HEADER)
        for r in rows(n, seed):
            ws.append(r)
        wb.save(out)
    else:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(HEADER) + "\n")
            for r in rows(n, seed):
                f.write(",".join(str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
