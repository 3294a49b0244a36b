"""The Kubernetes checks catch what they promise: each test breaks one thing in a rendered overlay and
asserts the exact problem lines, so a rule that stopped working fails here.

Run by ctest (label deploy) with DEPLOYCHECK_ROOT, DEPLOYCHECK_ORDERLY_CONFIG and DEPLOYCHECK_KUBECTL set.
"""

import contextlib
import copy
import io
import os
import tempfile
import unittest

import check_k8s
from k8s_schema import SchemaSet

ROOT = os.environ["DEPLOYCHECK_ROOT"]
ORDERLY_CONFIG = os.environ["DEPLOYCHECK_ORDERLY_CONFIG"]
KUBECTL = os.environ.get("DEPLOYCHECK_KUBECTL", "kubectl")
SCHEMAS = os.path.join(ROOT, "deploy", "schemas")
OVERLAYS = os.path.join(ROOT, "deploy", "k8s", "overlays")


def find(docs, kind, name):
    return next(doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name)


def container(docs, deployment):
    return find(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]


class K8sChecksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schemas = SchemaSet(SCHEMAS)
        cls.rendered = {profile: check_k8s.render(KUBECTL, os.path.join(OVERLAYS, profile))
                        for profile in ("dev", "production")}

    def problems(self, edit, profile="dev", external=()):
        """The problems of the `profile` overlay after `edit` changed a copy of its rendered objects."""
        docs = copy.deepcopy(self.rendered[profile])
        edit(docs)
        return check_k8s.check(docs, self.schemas, ORDERLY_CONFIG, profile, external)

    def config_map(self, docs):
        return next(doc for doc in docs if doc["kind"] == "ConfigMap")

    def test_unknown_field_from_a_kustomize_patch_fails_naming_object_and_path(self):
        with tempfile.TemporaryDirectory() as overlay:
            with open(os.path.join(overlay, "kustomization.yaml"), "w") as file:
                file.write(f"""resources:
  - {os.path.relpath(os.path.join(OVERLAYS, "dev"), overlay)}
patches:
  - target: {{kind: Deployment, name: orderly-order}}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/readinessProbe/grpcc
        value: {{port: 17001}}
""")
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                code = check_k8s.main(["--overlay", overlay, "--profile", "dev", "--schemas", SCHEMAS,
                                       "--orderly-config", ORDERLY_CONFIG, "--kubectl", KUBECTL])
        self.assertEqual(code, 1)
        self.assertEqual(stderr.getvalue().splitlines(), [
            "Deployment/orderly-order: spec.template.spec.containers[0].readinessProbe.grpcc: unknown field",
            f"check_k8s: 1 problems in {overlay}",
        ])

    def test_wrong_type_fails(self):
        def edit(docs):
            find(docs, "Deployment", "orderly-payment")["spec"]["replicas"] = "1"
        self.assertEqual(self.problems(edit), ["Deployment/orderly-payment: spec.replicas: '1' is not of type "
                                               "'integer', 'null'"])

    def test_unknown_field_in_a_custom_resource_spec_fails(self):
        def edit(docs):
            find(docs, "KafkaTopic", "saga-replies")["spec"]["partition"] = 3
        self.assertEqual(self.problems(edit), ["KafkaTopic/saga-replies: spec.partition: unknown field"])

    def test_misspelt_top_level_key_of_a_custom_resource_fails(self):
        def edit(docs):
            cluster = find(docs, "Cluster", "orderly-shard1")
            cluster["specs"] = cluster.pop("spec")
        self.assertEqual(self.problems(edit), ["Cluster/orderly-shard1: specs: unknown field",
                                               "Cluster/orderly-shard1: (top level): 'spec' is a required property"])

    def test_unknown_metadata_field_of_a_custom_resource_fails(self):
        def edit(docs):
            find(docs, "Kafka", "orderly-kafka")["metadata"]["label"] = {"a": "b"}
        self.assertEqual(self.problems(edit), ["Kafka/orderly-kafka: metadata.label: unknown field"])

    def test_kind_without_a_schema_fails(self):
        def edit(docs):
            docs.append({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cleanup"}})
        self.assertEqual(self.problems(edit), ["CronJob/cleanup: no schema for batch/v1 CronJob in deploy/schemas"])

    def test_container_without_a_probe_fails(self):
        def edit(docs):
            del container(docs, "orderly-redis")["startupProbe"]
        self.assertEqual(self.problems(edit), ["Deployment/orderly-redis: container redis: no startupProbe"])

    def test_container_security_context_is_enforced(self):
        def edit(docs):
            security = container(docs, "orderly-orchestrator")["securityContext"]
            security["readOnlyRootFilesystem"] = False
            security["capabilities"] = {"drop": ["NET_RAW"]}
            security["allowPrivilegeEscalation"] = True
            find(docs, "Deployment", "orderly-orchestrator")["spec"]["template"]["spec"]["securityContext"][
                "runAsUser"] = 0
        prefix = "Deployment/orderly-orchestrator: container orchestrator: "
        self.assertEqual(self.problems(edit), [
            prefix + "must run as non-root (runAsNonRoot: true)",
            prefix + "securityContext.readOnlyRootFilesystem must be true",
            prefix + "securityContext.allowPrivilegeEscalation must be false",
            prefix + "securityContext.capabilities.drop must be [ALL]",
        ])

    def test_container_without_a_memory_limit_fails(self):
        def edit(docs):
            del container(docs, "orderly-inventory")["resources"]["limits"]
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-inventory: container inventory: no resources.limits.memory"])

    def test_operator_resources_are_required(self):
        def edit(docs):
            del find(docs, "Cluster", "orderly-shard0")["spec"]["resources"]["requests"]["cpu"]
        self.assertEqual(self.problems(edit), ["Cluster/orderly-shard0: no spec.resources.requests.cpu"])

    def test_every_topic_needs_exactly_one_kafka_topic(self):
        def edit(docs):
            docs.remove(find(docs, "KafkaTopic", "payment-commands-dlq"))
            extra = copy.deepcopy(find(docs, "KafkaTopic", "order-events"))
            extra["metadata"]["name"] = "order-events-again"
            docs.append(extra)
            stray = copy.deepcopy(find(docs, "KafkaTopic", "order-events"))
            stray["metadata"]["name"] = "audit"
            stray["spec"]["topicName"] = "audit.events"
            docs.append(stray)
        self.assertEqual(self.problems(edit), [
            "KafkaTopic/order-events-again: topic order.events already has KafkaTopic/order-events",
            "KafkaTopic/audit: topic audit.events is not one of AllTopics() (orderly-config topics)",
            "KafkaTopic: no KafkaTopic for payment.commands.dlq",
        ])

    def test_config_map_must_pass_orderly_config_check(self):
        def edit(docs):
            data = self.config_map(docs)["data"]
            data["config.yaml"] = data["config.yaml"].replace("  pool_size: 8", "  pool_size: 0")
        name = self.config_map(self.rendered["dev"])["metadata"]["name"]
        self.assertEqual(self.problems(edit), [
            f"ConfigMap/{name}: config.yaml: orderly-config check: config error: postgres.pool_size: must be in "
            "1..1024, got 0 (in config.yaml)"])

    def test_grace_period_must_cover_pre_stop_drain_and_flush(self):
        def edit(docs):
            find(docs, "Deployment", "orderly-order")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 25
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-order: terminationGracePeriodSeconds 25 must exceed preStop 5 s + shutdown_grace_ms "
            "10000 + delivery_timeout_ms 10000"])

    def test_probes_and_port_must_be_the_listen_port(self):
        def edit(docs):
            container(docs, "orderly-payment")["livenessProbe"]["grpc"]["port"] = 17001
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-payment: livenessProbe is not a gRPC probe on port 17003 (services.payment.listen)"])

    def test_container_must_expose_the_metrics_port(self):
        def edit(docs):
            container(docs, "orderly-payment")["ports"].pop()
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-payment: container ports [{'containerPort': 17003, 'name': 'grpc'}] differ from "
            "services.payment.listen (and metrics_listen)",
            "Service/orderly-payment: targetPort metrics is no port of Deployment/orderly-payment"])

    def test_deployment_must_run_its_own_binary(self):
        def edit(docs):
            container(docs, "orderly-payment")["command"] = ["orderly-order"]
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-payment: runs ['orderly-order'], expected orderly-payment (orderly.io/service)"])

    def test_config_overrides_in_the_environment_are_refused(self):
        def edit(docs):
            container(docs, "orderly-order")["env"].append({"name": "ORDERLY_LOG__LEVEL", "value": "debug"})
        self.assertEqual(self.problems(edit), [
            "Deployment/orderly-order: ORDERLY_LOG__LEVEL: set keys in the ConfigMap, not in the environment"])

    def test_inventory_target_must_be_a_headless_service(self):
        def edit(docs):
            del find(docs, "Service", "orderly-inventory-headless")["spec"]["clusterIP"]
        name = self.config_map(self.rendered["dev"])["metadata"]["name"]
        self.assertEqual(self.problems(edit), [
            f"ConfigMap/{name}: services.order.inventory.target dns:///orderly-inventory-headless:17002: "
            "orderly-inventory-headless is not a rendered headless Service"])

    def test_inventory_calls_must_be_spread_over_the_pods(self):
        def edit(docs):
            data = self.config_map(docs)["data"]
            data["config.yaml"] = data["config.yaml"].replace("      load_balancing: round_robin\n", "")
        name = self.config_map(self.rendered["dev"])["metadata"]["name"]
        self.assertEqual(self.problems(edit), [
            f"ConfigMap/{name}: services.order.inventory.load_balancing: round_robin, or every call of an order "
            "pod goes to one inventory pod"])

    def test_service_must_select_pods_and_name_their_port(self):
        def edit(docs):
            find(docs, "Service", "orderly-payment")["spec"]["ports"][0]["targetPort"] = "http"
            find(docs, "Service", "orderly-redis")["spec"]["selector"] = {"app.kubernetes.io/name": "redis"}
        self.assertEqual(self.problems(edit), [
            "Service/orderly-payment: targetPort http is no port of Deployment/orderly-payment",
            "Service/orderly-redis: selects no rendered workload's pods"])

    def test_default_deny_network_policy_is_required(self):
        def edit(docs):
            find(docs, "NetworkPolicy", "default-deny")["spec"]["policyTypes"] = ["Ingress"]
        self.assertEqual(self.problems(edit), [
            "NetworkPolicy: no default-deny policy (podSelector {}, Ingress and Egress, no rules)"])

    def test_referenced_secrets_must_exist_or_be_external(self):
        def edit(docs):
            docs.remove(find(docs, "Secret", "orderly-postgres"))
        lines = [f"{kind}: Secret orderly-postgres is neither rendered nor declared external" for kind in (
            "Deployment/orderly-inventory", "Deployment/orderly-payment", "Deployment/orderly-order",
            "Deployment/orderly-orchestrator", "Deployment/orderly-analytics", "Cluster/orderly-shard0",
            "Cluster/orderly-shard1")]
        self.assertEqual(sorted(self.problems(edit)), sorted(lines))
        self.assertEqual(self.problems(lambda docs: None, external=["orderly-postgres"]), [
            "Secret/orderly-postgres: is external (created out of band) but also rendered"])

    def test_production_needs_autoscaling_budgets_and_spread(self):
        def edit(docs):
            docs.remove(find(docs, "PodDisruptionBudget", "orderly-order"))
            find(docs, "HorizontalPodAutoscaler", "orderly-payment")["spec"]["minReplicas"] = 2
            find(docs, "HorizontalPodAutoscaler", "orderly-inventory")["spec"]["maxReplicas"] = 12
            del find(docs, "Deployment", "orderly-orchestrator")["spec"]["template"]["spec"][
                "topologySpreadConstraints"]
            find(docs, "Cluster", "orderly-shard1")["spec"]["instances"] = 1
        self.assertEqual(self.problems(edit, "production", ["orderly-postgres"]), [
            "HorizontalPodAutoscaler/orderly-inventory: maxReplicas 12 exceeds the 6 partitions of a topic: the "
            "extra consumers would idle",
            "Deployment/orderly-orchestrator: no topologySpreadConstraints over kubernetes.io/hostname",
            "Deployment/orderly-order: no PodDisruptionBudget selects its pods",
            "HorizontalPodAutoscaler/orderly-payment: minReplicas 2 < 3",
            "Cluster/orderly-shard1: 1 instances, production needs 3",
        ])

    def test_dev_overlay_fails_the_production_profile(self):
        problems = check_k8s.check(copy.deepcopy(self.rendered["dev"]), self.schemas, ORDERLY_CONFIG, "production")
        self.assertIn("Deployment/orderly-order: spec.replicas is set: the HorizontalPodAutoscaler owns the replica "
                      "count", problems)
        self.assertIn("KafkaNodePool: 1 brokers, production needs 3", problems)
        self.assertEqual(len(problems), 5 * 4 + 1 + 1 + 10 + 2)  # 4 per service, brokers, ISR, topics, shards


if __name__ == "__main__":
    unittest.main()
