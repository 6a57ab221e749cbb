"""The `careerbot` command line: one small typer app per command group, registered on the
shared `app` (`bot/cli/_common.py`) in the order `careerbot --help` lists them."""
# isort: skip_file

from bot.cli._common import app
from bot.cli import questions  # noqa: F401  (registers ask, search, eval)
from bot.cli import index  # noqa: F401  (index build|rollback|status|verify)
from bot.cli import corpus  # noqa: F401  (corpus lint|new-article)
from bot.cli import discord  # noqa: F401  (run, sync)
from bot.cli import curation  # noqa: F401  (pins export|import, report)

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
