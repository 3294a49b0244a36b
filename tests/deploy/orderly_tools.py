"""What the deployment checks ask of Orderly itself, through its own binary `orderly-config`.

The topic list and the config rules live in C++ (AllTopics(), the config parsers); the checks never
restate them, they run `orderly-config topics` and `orderly-config check`.
"""

import os
import subprocess
import tempfile


class Problems:
    """The problems one check found, each a line naming the object, the path and what is wrong."""

    def __init__(self):
        self.lines = []

    def add(self, subject, message, path=None):
        self.lines.append(f"{subject}: {path}: {message}" if path else f"{subject}: {message}")

    def __bool__(self):
        return bool(self.lines)


def run(argv, env=None):
    """Runs argv; returns (exit code, stdout, stderr). A missing program is exit code 127."""
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return 127, "", f"{argv[0]}: not found"
    return done.returncode, done.stdout, done.stderr


def orderly_topics(orderly_config):
    """Every topic Orderly uses, dead-letter topics included: `orderly-config topics`."""
    code, out, err = run([orderly_config, "topics"])
    if code != 0:
        raise RuntimeError(f"{orderly_config} topics failed ({code}): {err.strip()}")
    return out.split()


def config_check(orderly_config, config_file, environment):
    """`orderly-config check config_file` with exactly `environment` (a dict) as the process environment,
    so ORDERLY_* overrides apply as they would in the container and nothing of ours leaks in.
    Returns None when the config is valid, else orderly-config's one-line error."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(environment)
    code, out, err = run([orderly_config, "check", config_file], env=env)
    if code == 0:
        return None
    return (err or out).strip() or f"exit code {code}"


def config_text_check(orderly_config, text, environment, label):
    """config_check on a config given as text (e.g. a ConfigMap's data); messages call the file `label`."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="orderly-config-") as file:
        file.write(text)
        file.flush()
        error = config_check(orderly_config, file.name, environment)
        return error.replace(file.name, label) if error else None


def host_port(value):
    """(host, port) of `host:port` or `dns:///host:port`, as the config's HostPort accepts them."""
    text = value[len("dns:///"):] if value.startswith("dns:///") else value
    host, _, port = text.rpartition(":")
    return host, int(port) if port.isdigit() else None
