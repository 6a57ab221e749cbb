"""What every `careerbot` command shares: the typer apps, the consoles, the configuration option, turning expected failures into one line and an exit code, progress bars, and the index service calls with terminal output.

Every command module is imported at start-up (typer needs them all to dispatch), so what only
some commands use is imported inside them: a cold `careerbot ask` pays for nothing else."""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from bot.config import ConfigError, Settings
from bot.i18n import t
from bot.services import reindex
from corpus.problems import CorpusError
from index.embedders import Embedder, EmbedderError, LazyEmbedder
from index.manifest import IndexStoreError
from index.query import InvalidQuestion, detect_language

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from index.build import BuildReport, ProgressCallback
    from index.retriever import Retriever


class _HelpAsProse:
    """Help that reads as prose: typer's rich help keeps a docstring's line breaks (a command
    listed as cut at the end of its first source line) and labels every option with its type,
    flags included (`--json <bool>`), as if they took a value."""

    def __init__(self, *args: Any, **options: Any):
        super().__init__(*args, **options)
        help_text = getattr(self, "help", None)
        if help_text:  # paragraphs, each on one line: the terminal wraps them
            paragraphs = inspect.cleandoc(help_text).split("\n\n")
            self.help = "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""  # typer shows the metavar, when set, instead of the type
        return params


class _Command(_HelpAsProse, TyperCommand):
    pass


class _Group(_HelpAsProse, TyperGroup):
    pass


class _Typer(typer.Typer):
    """A command group whose help, and its commands', reads as prose (`_HelpAsProse`)."""

    def __init__(self, **options: Any):
        super().__init__(cls=_Group, **options)

    def command(self, *args: Any, **options: Any) -> Any:
        return super().command(*args, cls=options.pop("cls", None) or _Command, **options)


app = _Typer(
    help="careerbot: answers machine-learning career questions from a curated corpus.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
index_app = _Typer(help="Build, inspect and verify the search index.", no_args_is_help=True)
corpus_app = _Typer(help="Check the corpus files and start new ones.", no_args_is_help=True)
pins_app = _Typer(
    help="Pinned answers: export to and import from YAML (for version control).",
    no_args_is_help=True,
)
cards_app = _Typer(
    help="Answer cards: what to write next, from the questions members asked.",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")
app.add_typer(corpus_app, name="corpus")
app.add_typer(pins_app, name="pins")
app.add_typer(cards_app, name="cards")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # file:line paths stay whole


class ClosedPipeGuard:
    """Standard output that ends the process quietly, with status 0, once its reader has gone
    (`careerbot ask … | head -1`): nothing more can be said, and that is no failure. Every
    write goes through it (rich's consoles, typer's help, JSON, YAML and CSV), before rich or
    typer turn the broken pipe into a silent exit 1."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def _reader_gone(self) -> NoReturn:
        # what is still buffered goes to /dev/null, so the interpreter's last flush succeeds
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)
        raise SystemExit(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class CliState:
    config_file: Path | None = None


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML configuration file (default: $CAREERBOT_CONFIG, else ./careerbot.yaml if present).",
        show_default=False,
    ),
]


@app.callback()
def _main(config: ConfigOption = None) -> None:
    CliState.config_file = config


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/bold red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def expected_errors() -> Iterator[None]:
    """Turn expected failures into one clear message and a non-zero exit."""
    try:
        yield
    except ConfigError as exc:
        raise fail(str(exc), 2) from None
    except CorpusError as exc:
        err.print(f"[bold red]error:[/bold red] the corpus has {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            err.print(f"  {escape(str(problem))}")
        raise typer.Exit(1) from None
    except (IndexStoreError, EmbedderError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        if exc.filename is None:
            raise
        # an unwritable or unusable data directory, index directory or database file
        raise fail(
            f"cannot use {exc.filename}: {exc.strerror or exc} "
            "(check data_dir, index.dir and database_url)"
        ) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def load_settings() -> Settings:
    return Settings.load(CliState.config_file)


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A progress callback drawing a bar on stderr from the first report on. Work that reports
    nothing (an `ask` on a built index) never creates the bar: no import of rich.progress, no
    refresh thread."""
    bar: list[tuple[Progress, TaskID]] = []

    def on_progress(stage: str, done: int, total: int) -> None:
        if not bar:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            progress.start()
            bar.append((progress, progress.add_task(stage, total=None)))
        progress, task = bar[0]
        progress.update(task, description=stage, completed=done, total=total)

    try:
        yield on_progress
    finally:
        if bar:
            bar[0][0].stop()


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(message)}")


def build_with_progress(
    settings: Settings,
    embedder: Embedder | None = None,
    force: bool = False,
    gate: bool = False,
) -> BuildReport:
    """Build with a progress bar on stderr; with `gate`, the quality gate decides publishing."""
    with progress_bar() as on_progress:
        return reindex.rebuild(
            settings,
            embedder or LazyEmbedder(settings.embedder),
            force=force,
            gate=gate,
            progress=on_progress,
            notice=warn,
        )


def open_retriever(settings: Settings) -> Retriever:
    """Load embedder and index, building the index first if there is none yet."""
    with progress_bar() as on_progress:
        return reindex.open_retriever(
            settings, build_if_missing=True, progress=on_progress, notice=err.print
        )


def invalid_question(exc: InvalidQuestion, question: str, limit: int) -> typer.Exit:
    language = detect_language(question)
    message = t(f"error.{exc.reason}", language, length=len(question.strip()), limit=limit)
    return fail(message)


def printable(text: str) -> str:
    """`text` with bytes that were not UTF-8 shown as U+FFFD, so it can be printed."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def discord_token(settings: Settings) -> str:
    token = settings.discord.resolve_token()
    if not token:
        raise fail(
            "no Discord token: set CAREERBOT_DISCORD__TOKEN (or discord.token_file in the "
            "configuration)",
            2,
        )
    return token
