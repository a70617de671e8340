#!/usr/bin/env python3
"""A plugin for vakt's tests: well-behaved, except in the one way its argument names.

Kind `echo` (code ECHO01) reports every row whose first value is "bad". Modes:
  good                 keep to the protocol
  exit-at-start        exit before the handshake
  garbage-hello        answer `hello` with text that is not JSON
  protocol-2           claim protocol 2
  no-kinds             offer no kinds
  vk-code              offer a kind whose code starts with VK
  refuse-params        answer `compile` with an error
  crash-on-rows        exit with status 3 when rows arrive
  unknown-row          report a row it was not sent
  unknown-code         report a code that is not its kind's
  unknown-column       report a column its rule does not name
  bad-severity         report the severity `fatal`
  sleep-on-rows        never answer the rows
  long-line            answer the rows with a line of 17 MiB
  env                  report the names of its environment variables (as one finding per row)
  stderr-and-exit      write a traceback-like line to stderr, then exit on rows
  record=PATH          keep to the protocol, and append every `rows` line it receives to PATH
"""
import json
import os
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "good"


def send(m):
    sys.stdout.write(json.dumps(m) + "\n")
    sys.stdout.flush()


KIND = {"name": "echo", "code": "ECHO01", "summary": "The first value is `bad`.", "doc": "For tests."}
rules, streams = {}, {}

if mode == "exit-at-start":
    sys.exit(0)

for line in sys.stdin:
    m = json.loads(line)
    t = m["type"]
    if t == "hello":
        if mode == "garbage-hello":
            sys.stdout.write("Hello, vakt!\n")
            sys.stdout.flush()
        elif mode == "protocol-2":
            send({"type": "hello", "protocol": 2, "kinds": [KIND]})
        elif mode == "no-kinds":
            send({"type": "hello", "protocol": 1, "kinds": []})
        elif mode == "vk-code":
            send({"type": "hello", "protocol": 1, "kinds": [dict(KIND, code="VK0999")]})
        else:
            send({"type": "hello", "protocol": 1, "kinds": [KIND]})
    elif t == "compile":
        if mode == "refuse-params":
            send({"type": "error", "rule": m["rule"], "message": "`limit` must be a number"})
        else:
            rules[m["rule"]] = m["columns"]
            send({"type": "compiled", "rule": m["rule"]})
    elif t == "begin":
        streams[m["stream"]] = rules[m["rule"]]
    elif t == "rows":
        if mode.startswith("record="):
            with open(mode[len("record="):], "a", encoding="utf-8") as f:
                f.write(line)
        if mode == "crash-on-rows":
            sys.exit(3)
        if mode == "stderr-and-exit":
            sys.stderr.write("Traceback: ValueError: cannot parse 31129956715\n")
            sys.stderr.flush()
            sys.exit(1)
        if mode == "sleep-on-rows":
            time.sleep(60)
        if mode == "long-line":
            sys.stdout.write("[" + " " * (17 << 20) + "]\n")
            sys.stdout.flush()
            continue
        columns = streams[m["stream"]]
        found = []
        for r in m["rows"]:
            f = {"row": r["row"], "column": columns[0], "code": "ECHO01", "severity": "warning", "message": "bad"}
            if mode == "env":
                found.append(dict(f, message="env: " + " ".join(sorted(os.environ))))
                continue
            if r["values"][0] != "bad":
                continue
            if mode == "unknown-row":
                f["row"] = 999999
            elif mode == "unknown-code":
                f["code"] = "OTHER1"
            elif mode == "unknown-column":
                f["column"] = "nonexistent"
            elif mode == "bad-severity":
                f["severity"] = "fatal"
            found.append(f)
        send({"type": "findings", "stream": m["stream"], "findings": found})
    elif t == "end":
        send({"type": "findings", "stream": m["stream"], "findings": []})
    elif t == "bye":
        break
