"""Validates rendered Kubernetes objects against the strict JSON schemas in deploy/schemas/.

Kubernetes kinds use kubernetes-1.30-strict/<kind>-<group>-<version>.json, which reject unknown
fields everywhere. Custom resources use crds/<group>_<kind>_<version>.json, which reject unknown
fields below the top level only; for them the top level is held to apiVersion, kind, metadata and
spec, and metadata to Kubernetes' own ObjectMeta schema, so every level is strict.
"""

import json
import os

import jsonschema

CUSTOM_RESOURCE_KEYS = ("apiVersion", "kind", "metadata", "spec")


def subject(doc):
    """`Kind/name` of a rendered object, for messages."""
    metadata = doc.get("metadata") or {}
    return f"{doc.get('kind', '?')}/{metadata.get('name', '?')}"


def format_path(parts):
    """A JSON path as spec.containers[0]["app.kubernetes.io/name"]."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in part or "/" in part:
            out += f'["{part}"]'
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


class SchemaSet:
    """The schemas of one directory (deploy/schemas), loaded on first use."""

    def __init__(self, directory):
        self.directory = directory
        self._validators = {}
        with open(os.path.join(directory, "kubernetes-1.30-strict", "configmap-v1.json")) as file:
            self._object_meta = jsonschema.Draft7Validator(json.load(file)["properties"]["metadata"])

    def _candidates(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        kind = kind.lower()
        if not group:
            return [("kubernetes-1.30-strict", f"{kind}-{version}.json")]
        return [
            ("kubernetes-1.30-strict", f"{kind}-{group.split('.')[0]}-{version}.json"),
            ("crds", f"{group}_{kind}_{version}.json"),
        ]

    def validator(self, api_version, kind):
        """(validator, is_custom_resource) for the kind, or None when deploy/schemas has no schema."""
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = None
            for folder, name in self._candidates(api_version, kind):
                path = os.path.join(self.directory, folder, name)
                if os.path.exists(path):
                    with open(path) as file:
                        self._validators[key] = (jsonschema.Draft7Validator(json.load(file)), folder == "crds")
                    break
        return self._validators[key]

    def validate(self, doc, problems):
        """Adds a problem for every schema violation of `doc`: its object, path and what is wrong."""
        name = subject(doc)
        found = self.validator(str(doc.get("apiVersion", "")), str(doc.get("kind", "")))
        if found is None:
            problems.add(name, f"no schema for {doc.get('apiVersion')} {doc.get('kind')} in deploy/schemas")
            return
        validator, custom = found
        errors = list(validator.iter_errors(doc))
        if custom:
            for key in doc:
                if key not in CUSTOM_RESOURCE_KEYS:
                    problems.add(name, "unknown field", format_path([key]))
            errors += [_prefixed(error, "metadata") for error in self._object_meta.iter_errors(doc.get("metadata", {}))]
        for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
            _report(name, error, problems)


def _prefixed(error, key):
    error.path.appendleft(key)
    return error


def _report(name, error, problems):
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        unknown = [k for k in error.instance if k not in known and not patterns]
        if unknown and error.validator_value is False:
            for key in unknown:
                problems.add(name, "unknown field", format_path(path + [key]))
            return
    problems.add(name, error.message, format_path(path))
