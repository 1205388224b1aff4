"""`bcrm ecm check` against the seeded emulator: all there, then one piece taken away at a
time (through the admin API or the REST API, as an administrator would), and it must name
exactly that piece; bad credentials, a server that is down and missing settings are exit 2
with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from pipeline.integrations.otcs.categories import CategoryDefinition
from pipeline.ops.ecm_check import category_findings
from sandbox.otcs import OTCSEmulator
from tests.otcs_emulator.conftest import Api

PASSWORD = "check-pw"


@pytest.fixture
def ecm() -> Iterator[OTCSEmulator]:
    """A fresh seeded emulator per test: each takes something different away."""
    with OTCSEmulator(password=PASSWORD) as running:
        yield running


def _env(base_url: str, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BCRM_")}
    return {
        **env,
        "BCRM_OTCS_URL": base_url,
        "BCRM_OTCS_USERNAME": "admin",
        "BCRM_OTCS_PASSWORD": password,
        **extra,
    }


def run_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ecm", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def problems(ecm: OTCSEmulator, **extra: str) -> tuple[int, list[tuple[str, str]], Any]:
    done = run_check(_env(ecm.base_url, **extra), "--json")
    report = json.loads(done.stdout)
    bad = [(f["status"], f["what"]) for f in report["findings"] if f["status"] != "ok"]
    return done.returncode, bad, report


def test_the_seeded_emulator_has_everything() -> None:
    with OTCSEmulator(password=PASSWORD) as ecm:
        done = run_check(_env(ecm.base_url))
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert lines[-1] == "ecm check: all there"
        assert all(line.startswith("ok ") for line in lines[:-1])
        for expected in (
            "account 'admin'",
            "category 'Commerce Record'",
            "attribute 'Document Date' of 'Commerce Record': 9100_10 (Date)",
            "workspace type BigCommerce/ORDER",
            "classification 'Commerce Records/Finance/Invoices'",
            "RSI BCRM-FIN-INV-DE",
            "RSI BCRM-ORD-REC-US",
            "folder 'Tax Summaries'",
            "permissions of 'admin' on 'Orders' (node 2100)",
            "records management on 'Tax Summaries' (node 2106)",
            "cross-reference type SUPERSEDES",
        ):
            assert any(expected in line for line in lines), expected
        counts = ecm.request_counters()
        assert all(route.startswith("GET ") or route == "POST /v1/auth" for route in counts)


def _admin(method: str, path: str, **kwargs: Any) -> Callable[[OTCSEmulator], None]:
    def act(ecm: OTCSEmulator) -> None:
        response = requests.request(method, ecm.admin_url + path, timeout=30, **kwargs)
        assert response.status_code == 200, response.text

    return act


def _delete_xref_type(xref_type: str) -> Callable[[OTCSEmulator], None]:
    def act(ecm: OTCSEmulator) -> None:
        api = Api(ecm)
        api.emulator.password = PASSWORD
        api.ok(api.login().delete(f"/v1/xrefs/{xref_type}"))

    return act


@pytest.mark.parametrize(
    ("take_away", "expected"),
    [
        (_admin("DELETE", "/rsis/BCRM-FIN-INV-DE"), ("missing", "RSI BCRM-FIN-INV-DE")),
        (
            _admin("DELETE", "/categories/9100/attributes/SHA-256"),
            ("missing", "attribute 'SHA-256' of 'Commerce Record'"),
        ),
        (
            _admin("DELETE", "/workspace-types/ORDER"),
            ("missing", "workspace type BigCommerce/ORDER"),
        ),
        (
            _admin("DELETE", "/nodes/3020"),
            ("missing", "classification 'Commerce Records/Finance/Invoices'"),
        ),
        (_admin("DELETE", "/nodes/2106"), ("missing", "folder 'Tax Summaries'")),
        (_admin("DELETE", "/nodes/2030"), ("wrong", "file plan")),
        (
            _admin("PUT", "/permissions/2100", json={"withhold": ["add_items"]}),
            ("missing", "permissions of 'admin' on 'Orders' (node 2100)"),
        ),
        (_delete_xref_type("SHIPMENT_OF"), ("missing", "cross-reference type SHIPMENT_OF")),
    ],
    ids=[
        "rsi-variant",
        "attribute",
        "workspace-type",
        "classification",
        "folder",
        "classification-volume",
        "permission",
        "xref-type",
    ],
)
def test_names_exactly_what_is_missing(
    ecm: OTCSEmulator, take_away: Callable[[OTCSEmulator], None], expected: tuple[str, str]
) -> None:
    take_away(ecm)
    code, bad, report = problems(ecm)
    assert code == 1
    assert bad == [expected]
    assert report["ok"] is False


def test_details_say_why_it_is_needed(ecm: OTCSEmulator) -> None:
    _admin("DELETE", "/rsis/BCRM-TAX-ORD-GB")(ecm)
    _admin("PUT", "/permissions/2106", json={"withhold": ["add_items", "edit_attributes"]})(ecm)
    done = run_check(_env(ecm.base_url))
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if not line.startswith("ok ")]
    assert lines[:-1] == [
        "missing RSI BCRM-TAX-ORD-GB: needed by tax_breakdown in GB",
        "missing permissions of 'admin' on 'Tax Summaries' (node 2106): "
        "lacks add_items, edit_attributes",
    ]
    assert lines[-1].startswith("ecm check: 2 of ") and lines[-1].endswith(" checks failed")


def test_only_what_the_enabled_flows_need(ecm: OTCSEmulator) -> None:
    """Commerce alone files no monthly summaries: their folder is not asked for (the file
    plan's classes and RSIs still are: one file plan serves every deployment)."""
    _admin("DELETE", "/nodes/2106")(ecm)
    code, bad, _ = problems(ecm, BCRM_FLOWS="commerce")
    assert (code, bad) == (0, [])
    code, bad, _ = problems(ecm, BCRM_FLOWS="commerce,fulfilment")
    assert (code, bad) == (1, [("missing", "folder 'Tax Summaries'")])


def _one_line_exit_2(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr


def test_bad_credentials(ecm: OTCSEmulator) -> None:
    done = run_check(_env(ecm.base_url, password="wrong"))
    _one_line_exit_2(done, "refused the login", "Invalid username/password")


def test_server_down() -> None:
    with OTCSEmulator(password=PASSWORD) as ecm:
        base_url = ecm.base_url
    done = run_check(_env(base_url))
    _one_line_exit_2(done, "no usable answer", "POST /v1/auth", "Connection refused")


def test_settings_missing() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BCRM_")}
    done = run_check(env)
    _one_line_exit_2(done, "BCRM_OTCS_URL")


class _ServerWithDateHash:
    """A server whose category has `SHA-256` as a Date and `Store Hash` as Alpaca `text`."""

    categories_volume_id = 2006

    def category(self, name: str) -> CategoryDefinition:
        keys = {"SHA-256": "9_2", "Store Hash": "9_3", "Currency": "9_4"}
        types = {"SHA-256": "Date", "Store Hash": "text"}
        return CategoryDefinition(id=9, name=name, keys=keys, types=types)


def test_an_attribute_of_another_type_is_wrong() -> None:
    wanted = {"SHA-256": "String", "Store Hash": "String", "Currency": "String"}
    findings = list(category_findings(_ServerWithDateHash(), "Commerce Record", wanted))  # type: ignore[arg-type]
    assert [(f.status, f.what, f.detail) for f in findings if not f.ok] == [
        ("wrong", "attribute 'SHA-256' of 'Commerce Record'", "is Date, bcrm writes String")
    ]
