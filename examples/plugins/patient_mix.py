#!/usr/bin/env python3
"""A vakt plugin (protocol 1, docs/plugins.md): does a group's patient mix match its type?

Kind `patient-mix` (code MIX001). A psycho-educative course for psychosis whose patients mostly
have depressions, or a CBT group full of personality disorders, is worth a look: either the group
type or the diagnoses are wrong. Per group, the share of patients with a diagnosis the group's
type usually treats must reach `min_share`.

Use it in a pack (the patients table has a relation `group` to the groups table):

    [[plugin]]
    name = "mix"
    command = ["python3", "plugins/patient_mix.py"]    # relative to the pack's folder

    [[table.check]]                 # in the patients table
    kind = "patient-mix"
    columns = ["group_id", "main_dx", "group.group_type"]
    params = { min_share = 0.5, expected = { PSYEDU = ["F2", "F30", "F31"] } }

Standard library only. Reads one JSON message per line on standard input, writes one per line.
"""
import json
import sys

KIND = {
    "name": "patient-mix",
    "code": "MIX001",
    "summary": "A group's patients mostly lack the diagnoses its type usually treats.",
    "doc": (
        "Columns, in this order: the group key, the diagnosis (ICD-10), the group's type.\n"
        "Params: `expected` maps a group type to ICD-10 prefixes (`F2` covers F20-F29); "
        "`min_share` (default 0.5) is the share of a group's patients that should have one; "
        "`min_patients` (default 4): smaller groups are not judged.\n"
        "Reported once per group, as a warning, at the group key of its first patient row."
    ),
    "params_schema": {
        "type": "object",
        "properties": {
            "expected": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "min_share": {"type": "number", "minimum": 0, "maximum": 1},
            "min_patients": {"type": "integer", "minimum": 1},
        },
        "required": ["expected"],
        "additionalProperties": False,
    },
}

rules = {}  # rule id -> (column names, params)
streams = {}  # stream id -> {group key: [first row, group type, patients, patients with an expected dx]}


def send(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def compile_rule(message):
    columns, params = message["columns"], message.get("params") or {}
    problems = []
    if len(columns) != 3:
        problems.append("name three columns: the group key, the diagnosis and the group's type")
    expected = params.get("expected")
    if not isinstance(expected, dict) or not all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in expected.values()
    ):
        problems.append("`expected` maps each group type to a list of ICD-10 prefixes")
    share = params.get("min_share", 0.5)
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        problems.append("`min_share` is a number from 0 to 1")
    unknown = set(params) - {"expected", "min_share", "min_patients"}
    if unknown:
        problems.append("unknown params: " + ", ".join(sorted(unknown)))
    if problems:
        send({"type": "error", "rule": message["rule"], "message": "; ".join(problems)})
        return
    rules[message["rule"]] = (columns, params)
    send({"type": "compiled", "rule": message["rule"]})


def take_rows(message):
    groups = streams[message["stream"]]["groups"]
    expected = streams[message["stream"]]["params"]["expected"]
    for row in message["rows"]:
        key, dx, group_type = row["values"]
        if key is None or dx is None or group_type not in expected:
            continue
        g = groups.setdefault(key, [row["row"], group_type, 0, 0])
        g[2] += 1
        if any(dx.startswith(prefix) for prefix in expected[group_type]):
            g[3] += 1
    send({"type": "findings", "stream": message["stream"], "findings": []})


def finish(message):
    state = streams.pop(message["stream"])
    columns, params = state["columns"], state["params"]
    share, least = params.get("min_share", 0.5), params.get("min_patients", 4)
    findings = []
    for key, (first_row, group_type, n, matching) in state["groups"].items():
        if n < least or matching / n >= share:
            continue
        prefixes = ", ".join(params["expected"][group_type])
        findings.append({
            "row": first_row,
            "column": columns[0],
            "code": KIND["code"],
            "severity": "warning",
            "message": f"group {key} ({group_type}): {matching} of {n} patients ({round(100 * matching / n)} %) "
                       f"have a diagnosis in {prefixes}; at least {round(100 * share)} % expected",
            "help": "check the group's type, or the patients' main diagnoses",
        })
    send({"type": "findings", "stream": message["stream"], "findings": findings})


def main():
    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            send({"type": "hello", "protocol": 1, "kinds": [KIND]})
        elif kind == "compile":
            compile_rule(message)
        elif kind == "begin":
            columns, params = rules[message["rule"]]
            streams[message["stream"]] = {"columns": columns, "params": params, "groups": {}}
        elif kind == "rows":
            take_rows(message)
        elif kind == "end":
            finish(message)
        elif kind == "bye":
            return


if __name__ == "__main__":
    main()
