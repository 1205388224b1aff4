"""The `bcrm sandbox otcs` command: one JSON line on start-up, clean exit on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import click
import requests

from sandbox.otcs.cli import command


def test_command_options() -> None:
    assert isinstance(command, click.Command)
    names = {opt for p in command.params for opt in p.opts}
    assert names == {"--host", "--port", "--base-path", "--user", "--password"}


def test_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.otcs.cli", "--port", "0", "--base-path", "/otcs/cs/api",
         "--user", "ops", "--password", "pw"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["base_url"].endswith("/otcs/cs/api")
        assert (info["username"], info["password"]) == ("ops", "pw")
        login = requests.post(
            info["base_url"] + "/v1/auth", data={"username": "ops", "password": "pw"}, timeout=10
        )
        assert login.status_code == 200
        assert (
            requests.get(info["admin_url"] + "/counters", timeout=10).json()["POST /v1/auth"][
                "count"
            ]
            == 1
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
