"""The README and docs/*.md cite only what the repository holds: every path (`pipeline/...`,
`docs/going-live.md`, a link), every module reference (`pipeline.records.classify.classify`)
and every named source or config file (`retention.toml`) must exist, so a reader who
follows one finds it. A run's output (a directory `.gitignore` lists, such as
`bench/results/`) counts as present; so do the few files an operator writes, named below
with where their format is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SOURCE_DIRS = ("pipeline", "tasks", "schemas", "sandbox", "bench", "tests", "docs", ".ci")
# Files the operator writes, not the repository: where the docs describe them.
OPERATOR_FILES = {
    "sellers.toml": "pipeline/flows/commerce/sellers.py",
    ".env": "pipeline/runtime/settings.py",
}

SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
PATH = re.compile(r"^\.?[\w-]+(?:\.[\w-]+)*(?:/[\w.-]+)+/?$")
MODULE = re.compile(r"^(?:pipeline|tasks|schemas|sandbox|bench|tests)(?:\.\w+)+$")
FILE_SUFFIX = re.compile(r"\.(?:py|toml|md|yml|yaml|ini|cfg|json|icc|ttf|gz)$")
FILE_NAME = re.compile(r"^\.?[\w-]+(?:\.[\w-]+)*\.(?:py|toml|md|yml|yaml|ini|cfg|json)$|^\.env$")


def cited(text: str) -> set[str]:
    """Code spans, link targets and the words of fenced blocks, trimmed of punctuation
    and call parentheses."""
    found = set(SPAN.findall(text)) | set(LINK.findall(text))
    for block in FENCE.findall(text):
        found.update(block.split())
    tokens = set()
    for raw in found:
        for word in raw.split():
            token = re.split(r"[(\[#]", word.strip(".,;:'\"()"))[0]
            if token and "://" not in token:
                tokens.add(token)
    return tokens


def _ignored_output(path: str) -> bool:
    ignored = (ROOT / ".gitignore").read_text().split()
    return any(path.rstrip("/") + "/" == entry or path.startswith(entry) for entry in ignored)


def _repository_names() -> set[str]:
    names = {p.name for p in ROOT.iterdir() if p.is_file()}
    for top in SOURCE_DIRS:
        names.update(p.name for p in (ROOT / top).rglob("*") if p.is_file())
    return names


def _defines(module: Path, name: str) -> bool:
    pattern = rf"^\s*(?:async def|def|class) {name}\b|^{name}\s*[:=]|^from \S+ import .*\b{name}\b"
    return re.search(pattern, module.read_text(), re.M) is not None


def module_exists(dotted: str) -> bool:
    """The longest prefix that is a module file or package, and the next name defined in it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        for module in (base.with_suffix(".py"), base / "__init__.py"):
            if module.is_file():
                return cut == len(parts) or _defines(module, parts[cut])
    return False


def missing_in(doc: Path) -> list[str]:
    names = _repository_names()
    missing = []
    for token in sorted(cited(doc.read_text())):
        if MODULE.match(token):
            if not module_exists(token):
                missing.append(f"module {token}")
        elif PATH.match(token) and (
            token.split("/")[0] in {*SOURCE_DIRS, *names} or FILE_SUFFIX.search(token)
        ):
            present = (doc.parent / token).exists() or (ROOT / token).exists()
            if not present and not _ignored_output(token):
                missing.append(f"path {token}")
        elif FILE_NAME.match(token) and token not in names and token not in OPERATOR_FILES:
            missing.append(f"file {token}")
    return missing


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_cited_path_exists(doc: Path) -> None:
    assert missing_in(doc) == []


def test_links_to_docs_resolve() -> None:
    """A relative link (`[going live](docs/going-live.md)`) resolves from its document."""
    for doc in DOCS:
        for target in LINK.findall(doc.read_text()):
            if "://" in target or target.startswith("#"):
                continue
            assert (doc.parent / target.split("#")[0]).exists(), f"{doc.name}: {target}"


def test_the_check_finds_what_is_missing(tmp_path: Path) -> None:
    """The check itself: a stale path, module, attribute and file name are each reported."""
    doc = tmp_path / "stale.md"
    doc.write_text(
        "See `pipeline/records/nowhere.py`, `pipeline.records.classify.nothing_here`,\n"
        "`reference/outside.md`, "
        "`pipeline.nowhere.module`, `missing-settings.toml` and [a link](docs/absent.md).\n"
        "Present: `pipeline/records/declare.py`, `pipeline.records.classify.classify`,\n"
        "`retention.toml`, `bench/results/` (run output), `sellers.toml` (operator's).\n"
    )
    assert missing_in(doc) == [
        "path docs/absent.md",
        "file missing-settings.toml",
        "module pipeline.nowhere.module",
        "module pipeline.records.classify.nothing_here",
        "path pipeline/records/nowhere.py",
        "path reference/outside.md",
    ]
    for operator_file, described_in in OPERATOR_FILES.items():
        assert (ROOT / described_in).is_file(), operator_file
