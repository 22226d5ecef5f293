"""Schema-driven fuzzing of a running service: every operation in its `/openapi.json`, checked by schemathesis.

Checks: no 5xx, every status code and content type is one the document declares, and bodies match their schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class FuzzReport:
    operations: int = 0
    cases: int = 0
    failures: dict[str, str] = field(default_factory=dict)


def fuzz_service(
    base_url: str,
    *,
    headers: Callable[[], Mapping[str, str]],
    max_examples: int = 25,
    skip: Callable[[str, str], bool] = lambda method, path: False,
) -> FuzzReport:
    """Fuzz every operation of the service at `base_url` with fresh `headers()` per call; report what failed."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    report = FuzzReport()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            report.failures[f"schema error {len(report.failures)}"] = str(result.err())
            continue
        operation = result.ok()
        if skip(operation.method.upper(), operation.path):
            continue
        report.operations += 1

        @hypothesis.settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case: Any) -> None:
            report.cases += 1
            case.call_and_validate(base_url=base_url, headers=dict(headers()), checks=CHECKS)

        try:
            run()
        except (AssertionError, FailureGroup) as exc:
            report.failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]
    return report
