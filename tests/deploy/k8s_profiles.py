"""What each overlay promises beyond the shared rules: dev runs one of everything, production runs at least
three service replicas under an autoscaler, spread and protected by disruption budgets, on replicated Kafka
and PostgreSQL."""

from k8s_rules import by_kind, orderly_deployments, pod_labels, pod_spec, selects
from k8s_schema import subject

PROFILES = ("dev", "production")
MIN_PRODUCTION_REPLICAS = 3


def _autoscalers(docs, deployment):
    return [hpa for hpa in by_kind(docs, "HorizontalPodAutoscaler")
            if hpa["spec"]["scaleTargetRef"].get("kind") == "Deployment"
            and hpa["spec"]["scaleTargetRef"].get("name") == deployment["metadata"]["name"]]


def _budgets(docs, deployment):
    return [pdb for pdb in by_kind(docs, "PodDisruptionBudget")
            if selects(pdb["spec"].get("selector"), pod_labels(deployment))]


def check_scaling_targets(docs, problems):
    """Every autoscaler scales a rendered Deployment, every disruption budget covers some workload's pods."""
    deployments = by_kind(docs, "Deployment")
    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        if not any(hpa in _autoscalers(docs, d) for d in deployments):
            problems.add(subject(hpa), f"scales {hpa['spec']['scaleTargetRef'].get('name')}, no rendered Deployment")
    for pdb in by_kind(docs, "PodDisruptionBudget"):
        if not any(pdb in _budgets(docs, d) for d in deployments):
            problems.add(subject(pdb), "selects no rendered workload's pods")


def check_dev(docs, problems):
    for _, deployment in orderly_deployments(docs):
        if deployment["spec"].get("replicas") != 1:
            problems.add(subject(deployment), f"dev runs 1 replica, not {deployment['spec'].get('replicas')}")
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        for doc in by_kind(docs, kind):
            problems.add(subject(doc), "dev has no autoscaling or disruption budgets")


def check_production(docs, problems):
    partitions = [topic["spec"].get("partitions", 1) for topic in by_kind(docs, "KafkaTopic")]
    for _, deployment in orderly_deployments(docs):
        name = subject(deployment)
        if "replicas" in deployment["spec"]:
            problems.add(name, "spec.replicas is set: the HorizontalPodAutoscaler owns the replica count")
        autoscalers = _autoscalers(docs, deployment)
        if len(autoscalers) != 1:
            problems.add(name, f"{len(autoscalers)} HorizontalPodAutoscalers, expected 1")
        for hpa in autoscalers:
            spec = hpa["spec"]
            if spec.get("minReplicas", 1) < MIN_PRODUCTION_REPLICAS:
                problems.add(subject(hpa), f"minReplicas {spec.get('minReplicas', 1)} < {MIN_PRODUCTION_REPLICAS}")
            if not any(m.get("type") == "Resource" and m["resource"]["name"] == "cpu" for m in spec.get("metrics", [])):
                problems.add(subject(hpa), "does not scale on CPU")
            if partitions and spec["maxReplicas"] > min(partitions):
                problems.add(subject(hpa), f"maxReplicas {spec['maxReplicas']} exceeds the {min(partitions)} "
                                           "partitions of a topic: the extra consumers would idle")
        if not _budgets(docs, deployment):
            problems.add(name, "no PodDisruptionBudget selects its pods")
        keys = [c.get("topologyKey") for c in pod_spec(deployment).get("topologySpreadConstraints", [])]
        if "kubernetes.io/hostname" not in keys:
            problems.add(name, "no topologySpreadConstraints over kubernetes.io/hostname")
    brokers = sum(pool["spec"]["replicas"] for pool in by_kind(docs, "KafkaNodePool")
                  if "broker" in pool["spec"].get("roles", []))
    if brokers < MIN_PRODUCTION_REPLICAS:
        problems.add("KafkaNodePool", f"{brokers} brokers, production needs {MIN_PRODUCTION_REPLICAS}")
    for kafka in by_kind(docs, "Kafka"):
        if int(kafka["spec"]["kafka"].get("config", {}).get("min.insync.replicas", 1)) < 2:
            problems.add(subject(kafka), "min.insync.replicas must be at least 2: acks=all then means two copies")
    for topic in by_kind(docs, "KafkaTopic"):
        if topic["spec"].get("replicas", 1) < MIN_PRODUCTION_REPLICAS:
            problems.add(subject(topic), f"{topic['spec'].get('replicas', 1)} replicas, production needs 3")
    for cluster in by_kind(docs, "Cluster"):
        if cluster["spec"]["instances"] < MIN_PRODUCTION_REPLICAS:
            problems.add(subject(cluster), f"{cluster['spec']['instances']} instances, production needs 3")


def check(docs, profile, problems):
    check_scaling_targets(docs, problems)
    {"dev": check_dev, "production": check_production}[profile](docs, problems)
