"""Orderly's rules for docker-compose.yml, on the model `docker-compose config` resolves (anchors merged,
variables substituted, short forms expanded). Each problem names the compose service and the key."""

from orderly_tools import config_check, host_port, orderly_topics

ORDERLY_IMAGE = "localhost/orderly:dev"
ONE_SHOT = "service_completed_successfully"


def _subject(name):
    return f"services.{name}"


def _command(service):
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else command


def _volume_source(mount):
    return mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source")


def _volume_target(mount):
    return mount.split(":")[1] if isinstance(mount, str) else mount.get("target")


def one_shot_jobs(model):
    """Services that run once and exit (restart "no"), such as the topic job: what depends on them waits
    for their successful completion instead of their health."""
    return [name for name, service in model.get("services", {}).items() if service.get("restart") == "no"]


def check_health(model, problems):
    """A health check on everything that keeps running; every dependency waits for health or completion."""
    services = model.get("services", {})
    jobs = one_shot_jobs(model)
    for name, service in services.items():
        test = (service.get("healthcheck") or {}).get("test")
        if name not in jobs and (not test or test == ["NONE"] or service["healthcheck"].get("disable")):
            problems.add(_subject(name), "no health check", "healthcheck")
        for dependency, spec in (service.get("depends_on") or {}).items():
            expected = ONE_SHOT if dependency in jobs else "service_healthy"
            if spec.get("condition") != expected:
                problems.add(_subject(name), f"condition {spec.get('condition')}, expected {expected}",
                             f"depends_on.{dependency}")


def _data_directory(service):
    """Where a PostgreSQL or Kafka broker container keeps its data, or None for other services."""
    repository = service.get("image", "").split(":")[0]
    environment = service.get("environment") or {}
    if repository == "postgres":
        return environment.get("PGDATA", "/var/lib/postgresql/data")
    if repository == "apache/kafka" and "KAFKA_PROCESS_ROLES" in environment:
        return environment.get("KAFKA_LOG_DIRS", "/tmp/kraft-combined-logs")
    return None


def check_volumes(model, problems):
    """Data lives in named volumes declared at the top level, never in bind mounts; the PostgreSQL shards
    and the Kafka broker keep their data directories in one."""
    declared = set((model.get("volumes") or {}).keys())
    for name, service in model.get("services", {}).items():
        mounts = service.get("volumes") or []
        for mount in mounts:
            if _volume_source(mount) not in declared:
                problems.add(_subject(name), f"{_volume_source(mount)} is not a named volume", "volumes")
        data = _data_directory(service)
        if data and data not in [_volume_target(m) for m in mounts if _volume_source(m) in declared]:
            problems.add(_subject(name), f"data directory {data} is not on a named volume", "volumes")


def check_topics(model, orderly_config, problems):
    """The one job with a TOPICS list creates exactly AllTopics() (`orderly-config topics`)."""
    expected = orderly_topics(orderly_config)
    jobs = [(n, s) for n, s in model.get("services", {}).items() if "TOPICS" in (s.get("environment") or {})]
    if len(jobs) != 1:
        problems.add("services", f"{len(jobs)} services with a TOPICS list, expected the one topic job")
        return
    name, job = jobs[0]
    listed = str(job["environment"]["TOPICS"]).split()
    for topic in sorted(set(listed) - set(expected)):
        problems.add(_subject(name), f"{topic} is not one of AllTopics() (orderly-config topics)",
                     "environment.TOPICS")
    for topic in [t for t in expected if t not in listed]:
        problems.add(_subject(name), f"{topic} is missing", "environment.TOPICS")
    for topic in sorted({t for t in listed if listed.count(t) > 1}):
        problems.add(_subject(name), f"{topic} is listed twice", "environment.TOPICS")


def check_orderly_services(model, orderly_config, problems):
    """Each service from the Orderly image: it runs orderly-<service>; its environment, as the process
    sees it, passes `orderly-config check`; its health check probes, and its ports publish, the port its
    config section listens on."""
    services = [(n, s) for n, s in model.get("services", {}).items() if s.get("image") == ORDERLY_IMAGE]
    if not services:
        problems.add("services", f"no service runs {ORDERLY_IMAGE}")
    for name, service in services:
        command = _command(service)
        binary = command[0] if command else ""
        if not binary.startswith("orderly-"):
            problems.add(_subject(name), f"runs {command}, not an Orderly service binary", "command")
            continue
        section = binary[len("orderly-"):]
        environment = {k: str(v) for k, v in (service.get("environment") or {}).items()}
        config_file = environment.get("ORDERLY_CONFIG")
        if not config_file:
            problems.add(_subject(name), "no ORDERLY_CONFIG: the image's file would not be checked", "environment")
            continue
        error = config_check(orderly_config, config_file, environment)
        if error:
            problems.add(_subject(name), f"orderly-config check: {error}", "environment")
            continue
        listen = environment.get(f"ORDERLY_SERVICES__{section.upper()}__LISTEN")
        if listen is None:
            problems.add(_subject(name), f"no ORDERLY_SERVICES__{section.upper()}__LISTEN", "environment")
            continue
        _, port = host_port(listen)
        published = [str(p).split(":")[-1].split("/")[0] if isinstance(p, str) else str(p.get("target"))
                     for p in service.get("ports") or []]
        if str(port) not in published:
            problems.add(_subject(name), f"the gRPC port {port} is not published", "ports")
        test = " ".join((service.get("healthcheck") or {}).get("test") or [])
        if "orderly-probe" not in test or f"127.0.0.1:{port}" not in test:
            problems.add(_subject(name), f"does not run orderly-probe on 127.0.0.1:{port}", "healthcheck.test")


def check(model, orderly_config, problems):
    check_health(model, problems)
    check_volumes(model, problems)
    check_topics(model, orderly_config, problems)
    check_orderly_services(model, orderly_config, problems)
