"""Every chaos scenario, by name, in the order `bcrm chaos all` runs them."""

from __future__ import annotations

from pipeline.chaos.scenario import Scenario
from pipeline.chaos.scenarios import bigcommerce, broker, ecm, hostile, poison, webhooks, workers

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
    )
}
