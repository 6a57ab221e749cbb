"""What is wrong with a corpus file, where (file, line, field): `Problem`, and `CorpusError`
which lists every problem found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a corpus file."""

    path: Path
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {self.reason}"


class CorpusError(Exception):
    """The corpus files are invalid; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
