"""The `careerbot` command line: one small typer app per command group, registered on the
shared `app` (`bot/cli/_common.py`) in the order `careerbot --help` lists them."""
# isort: skip_file

import gc
import sys

from bot.cli._common import ClosedPipeGuard, app
from bot.cli import questions  # noqa: F401  (registers ask, search, eval)
from bot.cli import index  # noqa: F401  (index build|rollback|status|verify)
from bot.cli import corpus  # noqa: F401  (corpus lint|new-article)
from bot.cli import discord  # noqa: F401  (run, sync)
from bot.cli import curation  # noqa: F401  (pins export|import, report)
from bot.cli import cards  # noqa: F401  (cards suggest)
from bot.cli import paths  # noqa: F401  (path)

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point (`careerbot`, `python -m bot.cli`).

    The objects a process creates before and during its command (a few hundred thousand, from
    pydantic, typer, rich, numpy, scipy, faiss...) are frozen out of the garbage collector's
    sight: what is imported lives as long as the process, and the interpreter's shutdown
    otherwise runs full collections over everything only to free memory the exit frees anyway
    (0.2-0.35 s after an `ask`, about a quarter of it). atexit handlers still run and files
    are still flushed; only reference cycles left at exit are left to the operating system.

    Standard output is guarded (`ClosedPipeGuard`), and flushed before the interpreter's own
    last flush: a reader that went away ends the command quietly, with status 0."""
    gc.freeze()
    sys.stdout = ClosedPipeGuard(sys.stdout)
    try:
        app()
    finally:
        gc.freeze()
        sys.stdout.flush()
