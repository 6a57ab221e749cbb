"""What every command shares (bot/cli/_common.py): output to a reader that goes away."""

from __future__ import annotations

import pytest

from tests.helpers import closed_early


@pytest.mark.parametrize(
    "args",
    [["--help"], ["ask", "--help"], ["corpus", "lint", "--skip-similarity"]],
    ids=["help", "ask-help", "corpus-lint"],
)
def test_a_closed_pipe_ends_quietly_with_status_0(args):
    ended = closed_early(*args)
    assert ended.returncode == 0, ended.stderr.decode()
    assert ended.stderr == b""
