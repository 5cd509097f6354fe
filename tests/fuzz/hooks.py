"""The one refinement of schemathesis's checks that CareLedger's contract asks for (loaded by
SCHEMATHESIS_HOOKS in test_api_fuzz.py)."""

from __future__ import annotations

import json

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance


def refused_by_a_rule_no_schema_states(response) -> bool:  # noqa: ANN001 - schemathesis's Response
    """A 400 the domain gave (it names `field`, and no decoder `errors`): a value wrong in its
    context, which no JSON Schema can say: an end before its start, a span too long to list, a
    day outside the years kept, a check digit that does not match (../shared/API.md: "400 ...
    the field is named"). The decoder's own refusals carry `errors` and are never forgiven: a
    schema-valid request the decoder refuses means the document lies."""
    if response.status_code != 400:
        return False
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(problem, dict) and bool(problem.get("field")) and "errors" not in problem


@schemathesis.check
def positive_data_acceptance_by_contract(ctx, response, case):  # noqa: ANN001, ANN201 - schemathesis's protocol
    if refused_by_a_rule_no_schema_states(response):
        return None
    return positive_data_acceptance(ctx, response, case)
