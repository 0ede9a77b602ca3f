#!/usr/bin/python3
"""Juju's hook tools for running a built charm's `dispatch` outside Juju (no Juju agent can
run here). Installed under the tools' names (config-get, action-get, action-set, ...); each
records its call in $HOOK_TOOLS_STATE/calls.jsonl and answers from
$HOOK_TOOLS_STATE/{config,params}.json the way the Juju agent's tools answer ops.
An unknown tool or flag fails, so a call the double does not model shows up in the test.
"""

import json
import os
import sys

TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]
STATE = os.environ["HOOK_TOOLS_STATE"]


def load(name, default):
    try:
        with open(os.path.join(STATE, name)) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return default


def fail(message):
    sys.stderr.write(f"ERROR {TOOL}: {message}\n")
    sys.exit(2)


def expect_json_format(args):
    if args != ["--format=json"]:
        fail(f"unexpected arguments {args}")


def main():
    with open(os.path.join(STATE, "calls.jsonl"), "a") as log:
        log.write(json.dumps({"tool": TOOL, "args": ARGS}) + "\n")
    if TOOL == "config-get":
        args = [a for a in ARGS if a != "--all"]
        expect_json_format(args)
        print(json.dumps(load("config.json", {})))
    elif TOOL == "action-get":
        if not os.environ.get("JUJU_ACTION_NAME"):
            fail("not running an action")
        expect_json_format(ARGS)
        print(json.dumps(load("params.json", {})))
    elif TOOL in ("action-set", "action-fail", "action-log"):
        if not os.environ.get("JUJU_ACTION_NAME"):
            fail("not running an action")
        if TOOL == "action-set" and not all("=" in a for a in ARGS):
            fail(f"expected key=value, got {ARGS}")
    elif TOOL == "status-set":
        if len(ARGS) < 2 or not ARGS[0].startswith("--application=") or ARGS[1] not in (
                "active", "blocked", "maintenance", "waiting"):
            fail(f"invalid arguments {ARGS}")
    elif TOOL == "is-leader":
        expect_json_format(ARGS)
        print("true")
    elif TOOL == "juju-log":
        if "--log-level" not in ARGS:
            fail(f"expected --log-level, got {ARGS}")
    elif TOOL == "relation-ids":  # a unit outside any relation (no Juju model here)
        if len(ARGS) != 2 or ARGS[1] != "--format=json":
            fail(f"expected <endpoint> --format=json, got {ARGS}")
        print(json.dumps(load("relations.json", {}).get(ARGS[0], [])))
    elif TOOL in ("application-version-set", "status-get"):
        if TOOL == "status-get":
            print(json.dumps({"status": "unknown", "message": ""}))
    else:
        fail("this double does not model the tool")


if __name__ == "__main__":
    main()
