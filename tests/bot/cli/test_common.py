"""What every command shares (bot/cli/_common.py): output to a reader that goes away, and help
pages that are complete and read as prose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer import _click as click
from typer.testing import CliRunner

from bot.cli import app
from tests.helpers import closed_early

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [["--help"], ["ask", "--help"], ["corpus", "lint", "--skip-similarity"]],
    ids=["help", "ask-help", "corpus-lint"],
)
def test_a_closed_pipe_ends_quietly_with_status_0(args):
    ended = closed_early(*args)
    assert ended.returncode == 0, ended.stderr.decode()
    assert ended.stderr == b""


def _commands(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and command group, as the arguments that name it."""
    command = command or typer.main.get_command(app)
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _help(path: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return "\n".join(line.rstrip() for line in result.output.splitlines())


def _panel(output: str, title: str) -> list[str]:
    """The rows of one panel of the help (`Options`, `Commands`), without its frame."""
    rows = output.split(f"╭─ {title} ", 1)[1].split("╰", 1)[0].splitlines()[1:]
    return [row.strip().strip("│").rstrip() for row in rows]


@pytest.mark.parametrize("path", list(_commands()), ids=lambda path: " ".join(path) or "careerbot")
def test_every_help_page_is_complete_and_readable(path):
    output = _help(path)
    assert "<bool>" not in output  # flags take no value
    assert "min_relevance" not in output  # a setting that no longer exists
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    options = [
        p for p in command.get_params(click.Context(command)) if p.param_type_name == "option"
    ]
    for option in options:
        assert option.help, f"{' '.join(path)} {option.opts[0]} has no help"
        assert " ".join(option.help.split())[:40] in " ".join(_panel(output, "Options"))
    # the description: a whole sentence on its first line, the terminal wraps the rest
    summary = output.split("Usage:", 1)[1].split("\n\n", 1)[1].strip().splitlines()[0]
    assert summary.endswith("."), summary
    if "╭─ Commands " in output:
        for row in _panel(output, "Commands"):
            assert not row.startswith("  "), f"a listed description cut mid-sentence: {row!r}"
            assert row.endswith("."), f"a listed description cut mid-sentence: {row!r}"
