"""Orderly's own rules for the rendered Kubernetes objects, beyond what the schemas say.

Each rule adds one line per violation naming the object, so a failure says what to fix. The config
and topic rules ask `orderly-config` (orderly_tools), never a copy of its knowledge.
"""

import posixpath

import yaml

from k8s_schema import subject
from orderly_tools import config_text_check, host_port, orderly_topics

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
SERVICE_LABEL = "orderly.io/service"


def by_kind(docs, kind):
    return [doc for doc in docs if doc.get("kind") == kind]


def named(docs, kind, name):
    return next((doc for doc in by_kind(docs, kind) if doc["metadata"].get("name") == name), None)


def pod_spec(workload):
    return workload.get("spec", {}).get("template", {}).get("spec", {})


def pod_labels(workload):
    return workload.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})


def selects(selector, labels):
    """Whether a LabelSelector (matchLabels and matchExpressions) selects `labels`."""
    if not selector:
        return False
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "Exists" and key not in labels or operator == "DoesNotExist" and key in labels:
            return False
        if operator == "In" and labels.get(key) not in values or operator == "NotIn" and labels.get(key) in values:
            return False
    return True


def orderly_deployments(docs):
    """(service name, Deployment) of every Deployment labelled orderly.io/service."""
    return [(doc["metadata"]["labels"][SERVICE_LABEL], doc) for doc in by_kind(docs, "Deployment")
            if SERVICE_LABEL in (doc["metadata"].get("labels") or {})]


def check_containers(docs, problems):
    """Every container of every workload: the three probes, CPU and memory requests, a memory limit, and
    a securityContext that runs as non-root with a read-only root filesystem and no capabilities."""
    for workload in [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]:
        spec = pod_spec(workload)
        pod_security = spec.get("securityContext") or {}
        containers = [(c, True) for c in spec.get("containers", [])]
        containers += [(c, False) for c in spec.get("initContainers", [])]  # probes run on long-lived ones only
        for container, long_lived in containers:
            where = f"container {container.get('name')}"
            for probe in PROBES if long_lived else ():
                if probe not in container:
                    problems.add(subject(workload), f"{where}: no {probe}")
            resources = container.get("resources") or {}
            for section, resource in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
                if resource not in (resources.get(section) or {}):
                    problems.add(subject(workload), f"{where}: no resources.{section}.{resource}")
            security = container.get("securityContext") or {}
            non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
            user = security.get("runAsUser", pod_security.get("runAsUser"))
            if non_root is not True or user == 0:
                problems.add(subject(workload), f"{where}: must run as non-root (runAsNonRoot: true)")
            if security.get("readOnlyRootFilesystem") is not True:
                problems.add(subject(workload), f"{where}: securityContext.readOnlyRootFilesystem must be true")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.add(subject(workload), f"{where}: securityContext.allowPrivilegeEscalation must be false")
            if (security.get("capabilities") or {}).get("drop") != ["ALL"]:
                problems.add(subject(workload), f"{where}: securityContext.capabilities.drop must be [ALL]")


def check_operator_resources(docs, problems):
    """Pods the operators create get their resources from our custom resources: each must set them."""
    places = [(doc, ("spec", "resources")) for doc in by_kind(docs, "KafkaNodePool") + by_kind(docs, "Cluster")]
    places += [(doc, ("spec", "entityOperator", "topicOperator", "resources")) for doc in by_kind(docs, "Kafka")
               if "topicOperator" in (doc["spec"].get("entityOperator") or {})]
    for doc, path in places:
        resources = doc
        for key in path:
            resources = (resources or {}).get(key)
        resources = resources or {}
        for section, resource in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
            if resource not in (resources.get(section) or {}):
                problems.add(subject(doc), f"no {'.'.join(path)}.{section}.{resource}")


def check_topics(docs, orderly_config, problems):
    """Exactly one KafkaTopic per topic of AllTopics(), none other, each on a rendered Kafka cluster with at
    most as many replicas as it has brokers."""
    expected = orderly_topics(orderly_config)
    clusters = {doc["metadata"]["name"] for doc in by_kind(docs, "Kafka")}
    brokers = sum(pool["spec"].get("replicas", 0) for pool in by_kind(docs, "KafkaNodePool")
                  if "broker" in pool["spec"].get("roles", []))
    seen = {}
    for topic in by_kind(docs, "KafkaTopic"):
        name = topic["spec"].get("topicName", topic["metadata"]["name"])
        if name not in expected:
            problems.add(subject(topic), f"topic {name} is not one of AllTopics() (orderly-config topics)")
        if name in seen:
            problems.add(subject(topic), f"topic {name} already has {subject(seen[name])}")
        seen[name] = topic
        cluster = (topic["metadata"].get("labels") or {}).get("strimzi.io/cluster")
        if cluster not in clusters:
            problems.add(subject(topic), f"strimzi.io/cluster {cluster} is not a rendered Kafka")
        if topic["spec"].get("replicas", 1) > brokers:
            problems.add(subject(topic), f"{topic['spec']['replicas']} replicas but {brokers} brokers")
    for name in expected:
        if name not in seen:
            problems.add("KafkaTopic", f"no KafkaTopic for {name}")


def mounted_config(deployment, docs):
    """(ConfigMap, key) that the Deployment's ORDERLY_CONFIG names through its volume mounts, or None."""
    spec = pod_spec(deployment)
    container = spec["containers"][0]
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    path = env.get("ORDERLY_CONFIG")
    if not path:
        return None
    for mount in container.get("volumeMounts", []):
        if posixpath.dirname(path) != mount["mountPath"].rstrip("/"):
            continue
        volume = next((v for v in spec.get("volumes", []) if v["name"] == mount["name"]), {})
        config_map = named(docs, "ConfigMap", (volume.get("configMap") or {}).get("name"))
        if config_map is not None:
            return config_map, posixpath.basename(path)
    return None


def check_service_config(docs, orderly_config, problems):
    """Each Orderly Deployment: its ORDERLY_CONFIG is a mounted ConfigMap key that passes `orderly-config
    check` (the only ORDERLY_ variable: the config lives in one place), it runs orderly-<service>, its port
    and gRPC probes use the port its config section listens on, and the grace period covers preStop, the
    drain (shutdown_grace_ms) and the producer's flush (kafka.delivery_timeout_ms)."""
    checked = {}  # (ConfigMap, key) -> parsed config, or None when it is missing or invalid
    for service, deployment in orderly_deployments(docs):
        name = subject(deployment)
        container = pod_spec(deployment)["containers"][0]
        extra = [item["name"] for item in container.get("env", [])
                 if item["name"].startswith("ORDERLY_") and item["name"] != "ORDERLY_CONFIG"]
        if extra:
            problems.add(name, f"{', '.join(extra)}: set keys in the ConfigMap, not in the environment")
        if container.get("command", [None])[0] != f"orderly-{service}":
            problems.add(name, f"runs {container.get('command')}, expected orderly-{service} ({SERVICE_LABEL})")
        found = mounted_config(deployment, docs)
        if found is None:
            problems.add(name, "ORDERLY_CONFIG does not name a key of a mounted ConfigMap")
            continue
        config_map, key = found
        cache_key = (config_map["metadata"]["name"], key)
        if cache_key not in checked:
            checked[cache_key] = _checked_config(config_map, key, orderly_config, problems)
        config = checked[cache_key]
        if config is None:
            continue
        _check_ports_and_grace(service, deployment, container, config_map, config, problems)
        if service == "order":
            _check_client_target(docs, config_map, config, problems)


def _checked_config(config_map, key, orderly_config, problems):
    """The ConfigMap's config under `key`, parsed, if it passes `orderly-config check`; else None."""
    text = (config_map.get("data") or {}).get(key)
    if text is None:
        problems.add(subject(config_map), f"no key {key}")
        return None
    error = config_text_check(orderly_config, text, {}, key)
    if error:
        problems.add(subject(config_map), f"{key}: orderly-config check: {error}")
        return None
    return yaml.safe_load(text) or {}


def _check_ports_and_grace(service, deployment, container, config_map, config, problems):
    name = subject(deployment)
    section = (config.get("services") or {}).get(service) or {}
    _, port = host_port(str(section.get("listen", ":")))
    # The gRPC port, then the Prometheus /metrics port when the config names one (services.<name>.metrics_listen).
    _, metrics_port = host_port(str(section.get("metrics_listen", ":")))
    expected = [port] + ([metrics_port] if "metrics_listen" in section else [])
    if port is None or None in expected or [p.get("containerPort") for p in container.get("ports", [])] != expected:
        problems.add(name, f"container ports {container.get('ports')} differ from services.{service}.listen "
                           "(and metrics_listen)")
    for probe in PROBES:
        probe_port = ((container.get(probe) or {}).get("grpc") or {}).get("port")
        if probe in container and probe_port != port:  # a missing probe is check_containers' finding
            problems.add(name, f"{probe} is not a gRPC probe on port {port} (services.{service}.listen)")
    grace_ms, delivery_ms = section.get("shutdown_grace_ms"), (config.get("kafka") or {}).get("delivery_timeout_ms")
    if grace_ms is None or delivery_ms is None:
        problems.add(subject(config_map), f"set services.{service}.shutdown_grace_ms and "
                                          "kafka.delivery_timeout_ms, so the grace period can be checked")
        return
    pre_stop_s = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
    period_s = pod_spec(deployment).get("terminationGracePeriodSeconds", 30)
    if period_s * 1000 <= pre_stop_s * 1000 + grace_ms + delivery_ms:
        problems.add(name, f"terminationGracePeriodSeconds {period_s} must exceed preStop {pre_stop_s} s + "
                           f"shutdown_grace_ms {grace_ms} + delivery_timeout_ms {delivery_ms}")


def _check_client_target(docs, config_map, config, problems):
    """services.order.inventory.target: dns:/// and a headless Service of the inventory pods, so the order
    service sees every inventory pod and balances over them itself (load_balancing: round_robin)."""
    client = ((config.get("services") or {}).get("order") or {}).get("inventory") or {}
    target = str(client.get("target", ""))
    host, port = host_port(target)
    service = named(docs, "Service", host)
    inventory = [d for s, d in orderly_deployments(docs) if s == "inventory"]
    where = "services.order.inventory.target"
    if not target.startswith("dns:///"):
        problems.add(subject(config_map), f"{where} {target}: use dns:/// and a headless Service")
    elif service is None or service["spec"].get("clusterIP") != "None":
        problems.add(subject(config_map), f"{where} {target}: {host} is not a rendered headless Service")
    elif not inventory or not selects({"matchLabels": service["spec"].get("selector")}, pod_labels(inventory[0])):
        problems.add(subject(service), "does not select the inventory pods")
    elif port not in [p.get("port") for p in service["spec"].get("ports", [])]:
        problems.add(subject(service), f"has no port {port} ({where})")
    elif client.get("load_balancing") != "round_robin":
        problems.add(subject(config_map), "services.order.inventory.load_balancing: round_robin, or every call "
                                          "of an order pod goes to one inventory pod")


def check_services(docs, problems):
    """Every Service selects the pods of a rendered workload, and a named targetPort is one of their ports."""
    workloads = [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]
    for service in by_kind(docs, "Service"):
        selector = {"matchLabels": service["spec"].get("selector")}
        matched = [w for w in workloads if selects(selector, pod_labels(w))]
        if not matched:
            problems.add(subject(service), "selects no rendered workload's pods")
            continue
        names = {p.get("name") for c in pod_spec(matched[0])["containers"] for p in c.get("ports", [])}
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort")
            if isinstance(target, str) and target not in names:
                problems.add(subject(service), f"targetPort {target} is no port of {subject(matched[0])}")


def check_network_policies(docs, problems):
    """A default-deny policy: every pod, ingress and egress, no rule."""
    for policy in by_kind(docs, "NetworkPolicy"):
        spec = policy["spec"]
        if spec.get("podSelector") == {} and sorted(spec.get("policyTypes", [])) == ["Egress", "Ingress"] \
                and not spec.get("ingress") and not spec.get("egress"):
            return
    problems.add("NetworkPolicy", "no default-deny policy (podSelector {}, Ingress and Egress, no rules)")


def check_secrets(docs, external, problems):
    """Every Secret a pod or a CloudNativePG cluster refers to is rendered (with the key) or external, never
    both: an external Secret holds credentials that stay out of the repository."""
    rendered = {doc["metadata"]["name"]: doc for doc in by_kind(docs, "Secret")}
    for name in external:
        if name in rendered:
            problems.add(f"Secret/{name}", "is external (created out of band) but also rendered")
    references = []
    for workload in [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]:
        for container in pod_spec(workload).get("containers", []):
            for item in container.get("env", []):
                ref = (item.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    references.append((workload, ref["name"], ref["key"]))
    for cluster in by_kind(docs, "Cluster"):
        secret = (((cluster["spec"].get("bootstrap") or {}).get("initdb") or {}).get("secret") or {}).get("name")
        if secret:
            references.append((cluster, secret, "password"))
    for doc, name, key in references:
        if name in external:
            continue
        if name not in rendered:
            problems.add(subject(doc), f"Secret {name} is neither rendered nor declared external")
        elif key not in (rendered[name].get("data") or {}) and key not in (rendered[name].get("stringData") or {}):
            problems.add(subject(doc), f"Secret {name} has no key {key}")


def check(docs, orderly_config, problems, external_secrets=()):
    """Every rule that holds in any environment."""
    check_containers(docs, problems)
    check_operator_resources(docs, problems)
    check_topics(docs, orderly_config, problems)
    check_service_config(docs, orderly_config, problems)
    check_services(docs, problems)
    check_network_policies(docs, problems)
    check_secrets(docs, external_secrets, problems)
