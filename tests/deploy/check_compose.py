#!/usr/bin/python3
"""Checks docker-compose.yml offline: resolves it with `docker-compose config` (no daemon needed), then
holds it to Orderly's rules (compose_rules): the topic job creates exactly AllTopics(), every Orderly
service's environment passes `orderly-config check`, health checks and health-gated dependencies,
named volumes, published gRPC ports.

  check_compose.py --compose-file docker-compose.yml --orderly-config build/tools/orderly-config/orderly-config

Exit 0 when everything holds; 1 with one line per problem on stderr; 2 when docker-compose rejects the file.
"""

import argparse
import sys

import yaml

import compose_rules
from orderly_tools import Problems, run


def resolve(docker_compose, compose_file):
    """The file as `docker-compose config` resolves it. @raises RuntimeError when docker-compose rejects it."""
    code, out, err = run([docker_compose, "-f", compose_file, "config"])
    if code != 0:
        raise RuntimeError(f"docker-compose -f {compose_file} config failed ({code}): {err.strip()}")
    return yaml.safe_load(out)


def check(model, orderly_config):
    problems = Problems()
    compose_rules.check(model, orderly_config, problems)
    return problems.lines


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compose-file", required=True)
    parser.add_argument("--orderly-config", required=True, help="the orderly-config binary")
    parser.add_argument("--docker-compose", default="docker-compose")
    args = parser.parse_args(argv)
    try:
        model = resolve(args.docker_compose, args.compose_file)
    except RuntimeError as e:
        print(f"check_compose: {e}", file=sys.stderr)
        return 2
    lines = check(model, args.orderly_config)
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print(f"check_compose: {len(lines)} problems in {args.compose_file}", file=sys.stderr)
        return 1
    print(f"{args.compose_file}: {len(model['services'])} services; Orderly's rules hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
