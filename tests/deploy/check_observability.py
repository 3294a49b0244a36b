"""Checks deploy/observability: the alert rules pass `promtool check rules`, the Grafana dashboard is a
dashboard whose panels all query Prometheus, and every metric the rules and the dashboard name is one
the code registers (a quoted name in libs/ or services/), so a renamed metric cannot leave a silent
panel or an alert that never fires. Exit 1 naming each problem."""
import argparse
import json
import os
import re
import subprocess
import sys

import yaml

METRIC = re.compile(r"\b((?:orderly|process)_[a-z0-9_]+)")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def registered_metrics(root):
    names = set()
    quoted = re.compile(r'"((?:orderly|process)_[a-z0-9_]+)"')
    for top in ("libs", "services"):
        for directory, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if name.endswith((".cpp", ".h")):
                    with open(os.path.join(directory, name), encoding="utf-8") as file:
                        names.update(quoted.findall(file.read()))
    return names


def base_name(name, registered):
    if name in registered:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in registered:
            return name[: -len(suffix)]
    return None


def check(root, promtool):
    problems = []
    rules_file = os.path.join(root, "deploy", "observability", "alerts.yaml")
    result = subprocess.run([promtool, "check", "rules", rules_file], capture_output=True, text=True)
    if result.returncode != 0:
        problems.append(f"{rules_file}: promtool check rules failed:\n{result.stdout}{result.stderr}")
    registered = registered_metrics(root)
    with open(rules_file, encoding="utf-8") as file:
        rules = yaml.safe_load(file)
    queries = [(f"alert {r.get('alert')}", r["expr"]) for g in rules.get("groups", []) for r in g.get("rules", [])]
    dashboard_file = os.path.join(root, "deploy", "observability", "grafana-dashboard.json")
    with open(dashboard_file, encoding="utf-8") as file:
        dashboard = json.load(file)
    if not dashboard.get("panels"):
        problems.append(f"{dashboard_file}: no panels")
    for panel in dashboard.get("panels", []):
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{dashboard_file}: panel '{panel.get('title')}' has no query")
        queries += [(f"panel '{panel.get('title')}'", t.get("expr", "")) for t in targets]
    for where, expr in queries:
        names = METRIC.findall(expr)
        if not names:
            problems.append(f"{where}: queries no Orderly or process metric: {expr}")
        for name in names:
            if base_name(name, registered) is None:
                problems.append(f"{where}: metric {name} is registered nowhere in libs/ or services/")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True)
    parser.add_argument("--promtool", default="promtool")
    args = parser.parse_args()
    problems = check(args.root, args.promtool)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("deploy/observability: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
