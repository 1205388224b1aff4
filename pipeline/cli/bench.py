"""`bcrm bench`: run the benchmarks under `bench/` by name, each in its own process.

A benchmark is a script (`python bench/<script>.py`) that prints a table, compares against
a baseline measured in the same run and writes its JSON under `bench/results/`. Each runs
as a subprocess so that its start-up, memory and CPU are its own and a crash in one does
not stop the others.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
RESULTS_DIR = BENCH_DIR / "results"


@dataclass(frozen=True)
class Benchmark:
    script: str
    args: tuple[str, ...]
    result: str
    what: str

    @property
    def path(self) -> Path:
        return BENCH_DIR / self.script


BENCHMARKS: dict[str, Benchmark] = {
    "bigcommerce-emulator": Benchmark(
        "bigcommerce_emulator.py", (), "bigcommerce_emulator.json", "emulator GETs vs bare aiohttp"
    ),
    "otcs-emulator": Benchmark(
        "otcs_emulator.py", (), "otcs_emulator.json", "emulator uploads vs bare aiohttp"
    ),
    "p1": Benchmark(
        "api_efficiency.py", (), "api_efficiency.json", "API calls per order vs naive fetch"
    ),
    "p2": Benchmark(
        "bigcommerce_governor.py", (), "bigcommerce_governor.json", "quota use, fleet governor"
    ),
    "p3": Benchmark(
        "fleet_vs_serial.py", ("p3",), "fleet_vs_serial_p3.json", "fleet vs serial, no latency"
    ),
    "p4": Benchmark(
        "fleet_vs_serial.py", ("p4",), "fleet_vs_serial_p4.json", "latency hiding, 80/150 ms"
    ),
    "p5": Benchmark("render.py", (), "render.json", "PDF/A-3b render time"),
    "p6": Benchmark("webhook_intake.py", (), "webhook_intake.json", "webhook intake rate"),
    "p7": Benchmark("worker_memory.py", (), "worker_memory.json", "worker RSS, Redis memory"),
    "publish": Benchmark(
        "publish.py", (), "publish.json", "approval → verified publish, 80/150 ms latency"
    ),
    "p8": Benchmark(
        "declare_calls.py", (), "declare_calls.json", "ECM calls per record vs old declare"
    ),
    "recalls": Benchmark(
        "recalls.py", (), "recalls.json", "recall search (1M lines) vs API scan; takedown"
    ),
    "campaigns": Benchmark(
        "campaigns.py", (), "campaigns.json", "calls per promotion/price poll vs per-object"
    ),
}


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
@click.argument("name", required=False, type=click.Choice(sorted(BENCHMARKS)))
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def bench(list_only: bool, name: str | None, options: tuple[str, ...]) -> None:
    """Run one benchmark (options after NAME go to it, e.g. `bcrm bench p3 --orders 2000`)
    or, without NAME, all of them in turn."""
    if list_only:
        width = max(len(b.what) for b in BENCHMARKS.values()) + 2
        for key, benchmark in BENCHMARKS.items():
            click.echo(f"{key:<22}{benchmark.what:<{width}}bench/{benchmark.script}")
        return
    if options and name is None:
        raise click.UsageError("options need a benchmark NAME")
    failed = [key for key in ([name] if name else list(BENCHMARKS)) if not _run(key, options)]
    if failed:
        raise click.ClickException(f"failed: {', '.join(failed)}")


def _run(key: str, options: tuple[str, ...]) -> bool:
    benchmark = BENCHMARKS[key]
    click.echo(f"== {key}: {benchmark.what}", err=True)
    started = time.monotonic()
    argv = [sys.executable, str(benchmark.path), *benchmark.args, *options]
    code = subprocess.run(argv, cwd=BENCH_DIR.parent, check=False).returncode
    result = RESULTS_DIR / benchmark.result
    outcome = f"JSON: {result}" if code == 0 else f"exit code {code}"
    click.echo(f"== {key}: {outcome} ({time.monotonic() - started:.0f} s)", err=True)
    return code == 0
