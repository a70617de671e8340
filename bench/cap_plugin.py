#!/usr/bin/env python3
"""The attendance cap as a Python plugin, for bench/plugins.sh: the same check as the built-in
expression `sessions_attended <= MAX`, so the two can be timed side by side. Standard library."""
import json
import sys

rules, streams = {}, {}
out = sys.stdout
for line in sys.stdin:
    m = json.loads(line)
    t = m["type"]
    if t == "rows":
        rule = streams[m["stream"]]
        cap, column = rule
        found = [
            {"row": r["row"], "column": column, "code": "CAP001", "severity": "warning",
             "message": f"{r['values'][0]} is above {cap}"}
            for r in m["rows"]
            if r["values"][0] is not None and r["values"][0] > cap
        ]
        out.write(json.dumps({"type": "findings", "stream": m["stream"], "findings": found}) + "\n")
        out.flush()
    elif t == "begin":
        streams[m["stream"]] = rules[m["rule"]]
    elif t == "compile":
        rules[m["rule"]] = (m["params"]["max"], m["columns"][0])
        out.write(json.dumps({"type": "compiled", "rule": m["rule"]}) + "\n")
        out.flush()
    elif t == "end":
        out.write(json.dumps({"type": "findings", "stream": m["stream"], "findings": []}) + "\n")
        out.flush()
    elif t == "hello":
        kind = {"name": "attendance-cap", "code": "CAP001", "summary": "A count above the maximum."}
        out.write(json.dumps({"type": "hello", "protocol": 1, "kinds": [kind]}) + "\n")
        out.flush()
    elif t == "bye":
        break
