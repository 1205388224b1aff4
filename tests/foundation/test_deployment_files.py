"""docker-compose.yml and the README must match the commands that exist."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click
import yaml

from pipeline.cli import main
from pipeline.runtime.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
FLEET = {"redis", "worker-io", "worker-cpu", "beat", "webhooks", "flower", "metrics"}


def _parses(argv: list[str]) -> None:
    """Resolve a bcrm command line to its leaf command and parse that command's options
    (our groups take no options of their own, so each leading word names a subcommand)."""
    command: click.Command = main
    ctx = click.Context(main, info_name="bcrm")
    args = argv[1:]
    while isinstance(command, click.Group):
        name, *args = args
        sub = command.get_command(ctx, name)
        assert sub is not None, f"{' '.join(argv)}: no command {name!r}"
        command, ctx = sub, click.Context(sub, info_name=name, parent=ctx)
    command.make_context(ctx.info_name, list(args), parent=ctx.parent)


def test_every_compose_service_runs_an_existing_command() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= FLEET
    for name, service in services.items():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "bcrm":
            _parses(command)
        if name != "redis":
            assert service["environment"]["BCRM_REDIS_URL"] == "redis://redis:6379/0"
    redis_command = services["redis"]["command"]
    assert "--appendonly yes" in redis_command
    assert "--maxmemory-policy noeviction" in redis_command
    assert "BCRM_FLOWER_BASIC_AUTH" in services["flower"]["environment"]


def test_the_readme_documents_every_setting_and_both_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    for f in fields(Settings):
        assert f"`{PREFIX}{f.name.upper()}`" in readme, f"README lacks {PREFIX}{f.name.upper()}"
    assert "bcrm demo" in readme
    assert "python -m pytest" in readme
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text()
