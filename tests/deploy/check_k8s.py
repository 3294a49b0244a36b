#!/usr/bin/python3
"""Renders a kustomize overlay of deploy/k8s and checks it offline: every object against the strict
schemas in deploy/schemas, then Orderly's rules (k8s_rules) and the overlay's profile (k8s_profiles).

  check_k8s.py --overlay deploy/k8s/overlays/dev --profile dev \\
      --schemas deploy/schemas --orderly-config build/tools/orderly-config/orderly-config

Exit 0 when everything holds; 1 with one line per problem on stderr ("Kind/name: path: what"); 2 when the
overlay cannot be rendered or the arguments are wrong.
"""

import argparse
import sys

import yaml

import k8s_profiles
import k8s_rules
from k8s_schema import SchemaSet
from orderly_tools import Problems, run


def render(kubectl, overlay):
    """The overlay's objects, as `kubectl kustomize` renders them. @raises RuntimeError when it cannot."""
    code, out, err = run([kubectl, "kustomize", overlay])
    if code != 0:
        raise RuntimeError(f"kubectl kustomize {overlay} failed ({code}): {err.strip()}")
    return [doc for doc in yaml.safe_load_all(out) if doc]


def check(docs, schemas, orderly_config, profile, external_secrets=()):
    """Every problem of the rendered `docs`, as lines; none when all holds."""
    problems = Problems()
    for doc in docs:
        schemas.validate(doc, problems)
    if problems:
        return problems.lines  # the rules read fields the schemas vouch for
    k8s_rules.check(docs, orderly_config, problems, external_secrets)
    k8s_profiles.check(docs, profile, problems)
    return problems.lines


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--overlay", help="a kustomize directory, rendered with kubectl kustomize")
    source.add_argument("--rendered", help="a file of already rendered objects")
    parser.add_argument("--profile", required=True, choices=k8s_profiles.PROFILES)
    parser.add_argument("--schemas", required=True, help="deploy/schemas")
    parser.add_argument("--orderly-config", required=True, help="the orderly-config binary")
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--external-secret", action="append", default=[],
                        help="a Secret created out of band (not rendered), e.g. orderly-postgres in production")
    args = parser.parse_args(argv)
    try:
        if args.overlay:
            docs = render(args.kubectl, args.overlay)
        else:
            with open(args.rendered) as file:
                docs = [doc for doc in yaml.safe_load_all(file) if doc]
    except (RuntimeError, OSError, yaml.YAMLError) as e:
        print(f"check_k8s: {e}", file=sys.stderr)
        return 2
    lines = check(docs, SchemaSet(args.schemas), args.orderly_config, args.profile, args.external_secret)
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print(f"check_k8s: {len(lines)} problems in {args.overlay or args.rendered}", file=sys.stderr)
        return 1
    print(f"{args.overlay or args.rendered}: {len(docs)} objects valid against the strict schemas; "
          f"Orderly's rules and the {args.profile} profile hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
