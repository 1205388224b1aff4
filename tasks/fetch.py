"""The fetch stage tasks (queue `fetch`): one per fetched source, `bcrm.fetch.<source>`
(`bcrm.fetch.order`), each reading its source and starting a chain per owed document."""

from typing import Any

from pipeline.core import document_stages, registry
from pipeline.core.stage import StageTask, stage_task


def _register(source: str, flow: str) -> StageTask:
    @stage_task(f"bcrm.fetch.{source}", flow=flow)
    def fetch(self: StageTask, ref: dict[str, Any]) -> dict[str, Any]:
        return document_stages.fetch(source, ref)

    return fetch


FETCH_TASKS = {
    name: _register(name, source.flow) for name, source in registry.fetched_sources().items()
}
