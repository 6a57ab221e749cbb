"""The `careerbot` command line: one small typer app per command group, registered on the
shared `app` (`bot/cli/_common.py`) in the order `careerbot --help` lists them.

The cyclic garbage collector is kept out of start-up and exit: importing the command modules
(pydantic, typer, rich, numpy and the project's own) creates a few hundred thousand objects and
no garbage, and a command's objects are freed by the process's exit; walking them all again
and again finds nothing to collect but made up a third of a cold `careerbot ask` (about 40 ms
while importing, 40-100 ms during the command, 0.2-0.35 s in the collections run while the
interpreter shuts down)."""
# isort: skip_file

import gc

_collecting = gc.isenabled()
gc.disable()
try:
    from bot.cli._common import app
    from bot.cli import questions  # noqa: F401  (registers ask, search, eval)
    from bot.cli import index  # noqa: F401  (index build|rollback|status|verify)
    from bot.cli import corpus  # noqa: F401  (corpus lint|new-article)
    from bot.cli import discord  # noqa: F401  (run, sync)
    from bot.cli import curation  # noqa: F401  (pins export|import, report)
finally:
    if _collecting:
        gc.enable()

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point (`careerbot`, `python -m bot.cli`)."""
    # What is imported so far lives as long as the process (the bot of `careerbot run` too):
    # later collections need not walk it.
    gc.freeze()
    try:
        app()
    finally:
        # The process ends here: leave what the command created to the exit as well, instead
        # of full collections over it while the interpreter shuts down.
        gc.freeze()
