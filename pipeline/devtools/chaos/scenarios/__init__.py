"""Every chaos scenario, by name, in the order `bcrm chaos all` runs them."""

from __future__ import annotations

from pipeline.devtools.chaos.scenario import Scenario
from pipeline.devtools.chaos.scenarios import (
    bigcommerce,
    broker,
    cases,
    disclosures,
    ecm,
    hostile,
    poison,
    publish,
    recalls,
    webhooks,
    workers,
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        workers.SCENARIO,
        broker.SCENARIO,
        ecm.SCENARIO,
        bigcommerce.SCENARIO,
        webhooks.SCENARIO,
        hostile.SCENARIO,
        poison.SCENARIO,
        disclosures.SCENARIO,
        publish.SCENARIO,
        cases.SCENARIO,
        recalls.SCENARIO,
    )
}
