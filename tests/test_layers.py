"""The layers ARCHITECTURE.md draws, checked on every import statement (function-level ones
included): the retrieval core never reaches up into the bot or Discord, services and storage
never import Discord, and no Discord extension imports another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _reaches(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("corpus", ("index", "bot", "discord")),
        ("index", ("bot", "discord")),
        ("bot/services", ("discord", "bot.discord", "bot.cli")),
        ("bot/db", ("discord", "bot.discord", "bot.cli", "bot.services")),
    ],
)
def test_no_import_runs_upward(package, forbidden):
    wrong = {
        str(path.relative_to(ROOT)): reached
        for path in _modules(package)
        if (reached := _reaches(_imports(path), forbidden))
    }
    assert not wrong, wrong


def test_no_extension_imports_another():
    extensions = sorted(p for p in (ROOT / "bot/discord/exts").iterdir() if p.is_dir())
    assert len(extensions) >= 8
    wrong = {}
    for extension in extensions:
        others = tuple(f"bot.discord.exts.{o.name}" for o in extensions if o != extension)
        for path in extension.rglob("*.py"):
            if reached := _reaches(_imports(path), others):
                wrong[str(path.relative_to(ROOT))] = reached
    assert not wrong, wrong


def test_only_the_loader_names_an_extension():
    named = [
        str(path.relative_to(ROOT))
        for path in _modules("bot")
        if '"bot.discord.exts.' in path.read_text(encoding="utf-8")
    ]
    assert named == ["bot/discord/app.py"]
