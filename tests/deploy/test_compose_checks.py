"""The docker-compose checks catch what they promise: each test breaks one thing in docker-compose.yml (as
`docker-compose config` resolves it, or in its text) and asserts the exact problem lines.

Run by ctest (label deploy) with DEPLOYCHECK_ROOT, DEPLOYCHECK_ORDERLY_CONFIG and DEPLOYCHECK_DOCKER_COMPOSE.
"""

import contextlib
import copy
import io
import os
import tempfile
import unittest

import check_compose

ROOT = os.environ["DEPLOYCHECK_ROOT"]
ORDERLY_CONFIG = os.environ["DEPLOYCHECK_ORDERLY_CONFIG"]
DOCKER_COMPOSE = os.environ.get("DEPLOYCHECK_DOCKER_COMPOSE", "docker-compose")
COMPOSE_FILE = os.path.join(ROOT, "docker-compose.yml")


class ComposeChecksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = check_compose.resolve(DOCKER_COMPOSE, COMPOSE_FILE)

    def problems(self, edit):
        model = copy.deepcopy(self.model)
        edit(model["services"])
        return check_compose.check(model, ORDERLY_CONFIG)

    def test_misspelt_key_is_rejected_by_docker_compose(self):
        with open(COMPOSE_FILE) as file:
            text = file.read()
        broken = text.replace('    healthcheck:\n      test: ["CMD-SHELL", "redis-cli',
                              '    healthchek:\n      test: ["CMD-SHELL", "redis-cli')
        self.assertNotEqual(broken, text)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "docker-compose.yml")
            with open(path, "w") as file:
                file.write(broken)
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = check_compose.main(["--compose-file", path, "--orderly-config", ORDERLY_CONFIG,
                                           "--docker-compose", DOCKER_COMPOSE])
        self.assertEqual(code, 2)
        self.assertIn("Unsupported config option for services.redis: 'healthchek'", stderr.getvalue())

    def test_topic_list_must_equal_all_topics(self):
        def edit(services):
            topics = services["kafka-topics"]["environment"]["TOPICS"].split()
            topics.remove("saga.replies.dlq")
            services["kafka-topics"]["environment"]["TOPICS"] = " ".join(topics + ["order.events", "audit.events"])
        prefix = "services.kafka-topics: environment.TOPICS: "
        self.assertEqual(self.problems(edit), [
            prefix + "audit.events is not one of AllTopics() (orderly-config topics)",
            prefix + "saga.replies.dlq is missing",
            prefix + "order.events is listed twice",
        ])

    def test_service_environment_must_pass_orderly_config_check(self):
        def edit(services):
            services["payment"]["environment"]["ORDERLY_KAFKA__BROKER"] = "kafka:9092"
        self.assertEqual(self.problems(edit), [
            "services.payment: environment: orderly-config check: config error: kafka.broker: unknown key (set by "
            "ORDERLY_KAFKA__BROKER) in /dev/null; known keys: batch_linger_ms, brokers, client_id, commit_interval_ms, "
            "delivery_timeout_ms, fetch_wait_max_ms, linger_ms, max_attempts, max_batch, prefix, retry_backoff_max_ms, "
            "retry_backoff_ms, session_timeout_ms; did you mean 'brokers'?"])

    def test_every_running_service_needs_a_health_check(self):
        def edit(services):
            del services["postgres-shard1"]["healthcheck"]
        self.assertEqual(self.problems(edit), ["services.postgres-shard1: healthcheck: no health check"])

    def test_dependencies_wait_for_health_or_completion(self):
        def edit(services):
            services["orchestrator"]["depends_on"]["redis"]["condition"] = "service_started"
            services["payment"]["depends_on"]["kafka-topics"]["condition"] = "service_healthy"
        self.assertEqual(self.problems(edit), [
            "services.orchestrator: depends_on.redis: condition service_started, expected service_healthy",
            "services.payment: depends_on.kafka-topics: condition service_healthy, expected "
            "service_completed_successfully",
        ])

    def test_data_must_live_in_named_volumes(self):
        def edit(services):
            services["kafka"]["volumes"] = ["/srv/kafka:/var/lib/kafka/data:rw"]
        self.assertEqual(self.problems(edit), [
            "services.kafka: volumes: /srv/kafka is not a named volume",
            "services.kafka: volumes: data directory /var/lib/kafka/data is not on a named volume",
        ])

    def test_grpc_port_must_be_published_and_probed(self):
        def edit(services):
            services["inventory"]["ports"] = []
            services["order"]["healthcheck"]["test"] = ["CMD", "orderly-probe", "127.0.0.1:17002"]
        self.assertEqual(self.problems(edit), [
            "services.inventory: ports: the gRPC port 17002 is not published",
            "services.order: healthcheck.test: does not run orderly-probe on 127.0.0.1:17001",
        ])

    def test_orderly_service_must_run_a_service_binary(self):
        def edit(services):
            services["order"]["command"] = ["sleep", "infinity"]
        self.assertEqual(self.problems(edit), [
            "services.order: command: runs ['sleep', 'infinity'], not an Orderly service binary"])


if __name__ == "__main__":
    unittest.main()
