"""Registry of scenarios: ``SCENARIOS[name]`` -> ``Scenario`` with a builder and its ground truth.

``truth`` keys (what evaluation scripts score against):

* ``kind`` - the incident kind (``"quiet"`` when nothing is wrong);
* ``cause_keywords`` - lowercase strings a correct top hypothesis (its title or its evidence) should contain,
  e.g. the event name, the resource id, the exception; empty for ``quiet``;
* ``cause_source`` - the source holding the decisive evidence: ``cloudtrail``, ``logs``, ``metrics``,
  ``guardduty`` or ``none``;
* ``onset`` - ISO 8601 UTC time the symptoms start (``None`` for quiet);
* ``quiet`` - True when the right answer is "nothing abnormal";
* ``change_event_id`` - when the cause (or the first malicious call) is a CloudTrail event, its ``eventID``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.scenarios import incidents
from agent.scenarios.demo import DEMO_FACTS, build_demo


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    builder: Callable[..., Path]
    truth: dict[str, Any] = field(default_factory=dict)

    def build(self, out_dir: str | Path, gzip: bool = False) -> Path:
        """Write the scenario snapshot to ``out_dir`` and return its path."""
        return self.builder(out_dir, gzip=gzip)


_DESCRIPTIONS = {
    "demo": "ECS checkout loses DynamoDB after ModifyVpcEndpoint removes a route table (the demo incident)",
    "iam-permission-removed": "API Gateway + Lambda: DetachRolePolicy on the Lambda role -> AccessDeniedException on PutItem",
    "security-group-rule-revoked": "ECS Node.js + RDS: RevokeSecurityGroupIngress on the DB security group -> ETIMEDOUT",
    "bad-deploy": "ECS Spring: UpdateService to pricing:113 -> NullPointerException, 500s on POST /api/quote",
    "dynamodb-throttling": "Lambda ingest surge -> ProvisionedThroughputExceededException on device-events (no change event)",
    "db-connection-pool-exhausted": "ECS Spring + RDS MySQL: HikariCP pool exhausted, DatabaseConnections at max",
    "secret-rotated": "Secrets Manager RotateSecret -> 'password authentication failed' from orders-api",
    "kms-key-disabled": "KMS DisableKey on the S3 bucket key -> KMS.DisabledException in Lambda",
    "security-incident": "Leaked IAM user key used from a Tor exit node: recon, GetSecretValue, CreateAccessKey; GuardDuty",
    "quiet": "Normal traffic and the usual noise; nothing abnormal",
}

_DEMO_TRUTH: dict[str, Any] = {
    "kind": "network-path-removed",
    "cause_keywords": ["modifyvpcendpoint", DEMO_FACTS["vpc_endpoint_id"], DEMO_FACTS["route_table_id"], "connect timed out"],
    "cause_source": "cloudtrail",
    "onset": DEMO_FACTS["onset"],
    "quiet": False,
    "change_event_id": DEMO_FACTS["change_event_id"],
}

SCENARIOS: dict[str, Scenario] = {"demo": Scenario("demo", _DESCRIPTIONS["demo"], build_demo, _DEMO_TRUTH)}
for _name, _builder in incidents.BUILDERS.items():
    SCENARIOS[_name] = Scenario(_name, _DESCRIPTIONS[_name], _builder, incidents.TRUTH[_name])
