"""Reading the corpus's YAML files with line numbers: pydantic errors and duplicate ids turned
into problems that name the file, the line and the field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    pass
from corpus.problems import CorpusError, Problem

# libyaml's loader parses the catalogue ten times faster than the pure-Python one; same rules.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


Model = TypeVar("Model", bound=BaseModel)


def parse_yaml(text: str, path: Path, first_line: int) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, keeping the node tree so errors can point at lines."""
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise CorpusError([Problem(path, line, None, f"invalid YAML: {reason}")]) from None
    finally:
        loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, loc: Iterable[int | str], first_line: int) -> int | None:
    """The file line of the YAML node at pydantic error location `loc` (deepest node found)."""
    if node is None:
        return None
    best = node
    for key in loc:
        child = None
        if isinstance(best, yaml.SequenceNode) and isinstance(key, int) and key < len(best.value):
            child = best.value[key]
        elif isinstance(best, yaml.MappingNode):
            for key_node, value_node in best.value:
                if key_node.value == key:
                    child = value_node
                    break
        if child is None:
            break
        best = child
    return first_line + best.start_mark.line


def problems_from(
    exc: ValidationError, path: Path, node: yaml.Node | None, first_line: int, prefix: tuple = ()
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        field_name = ".".join(str(p) for p in error["loc"]) or None
        reason = error["msg"].removeprefix("Value error, ")
        problems.append(Problem(path, line_of(node, loc, first_line), field_name, reason))
    return problems


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError([Problem(path, None, None, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise CorpusError([Problem(path, None, None, f"not UTF-8 text ({exc.reason})")]) from None


def load_yaml_list(path: Path, model: type[Model], what: str) -> list[Model]:
    """Load a YAML file whose top level is a list of `model` items, collecting every problem."""
    return load_yaml_items(path, model, what)[0]


def load_yaml_items(
    path: Path, model: type[Model], what: str
) -> tuple[list[Model], yaml.Node | None]:
    """The `model` items of a YAML file whose top level is a list, and its node tree (for the
    lines of later findings); CorpusError listing every problem."""
    data, node = parse_yaml(read_text(path), path, first_line=1)
    if not isinstance(data, list):
        raise CorpusError([Problem(path, 1, None, f"expected a list of {what} at the top level")])
    items: list[Model] = []
    problems: list[Problem] = []
    for index, raw in enumerate(data):
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            for problem in problems_from(exc, path, node, 1, prefix=(index,)):
                problems.append(
                    Problem(
                        problem.path, problem.line, f"[{index}].{problem.field}", problem.reason
                    )
                )
    problems += duplicate_ids(path, node, data)
    if problems:
        raise CorpusError(problems)
    return items, node


def yaml_line(node: yaml.Node | None, loc: Iterable[int | str]) -> int | None:
    """The line of the item at `loc` (list index, then keys) in a file read by load_yaml_items."""
    return line_of(node, loc, 1)


def duplicate_ids(path: Path, node: yaml.Node | None, raw_items: Sequence[Any]) -> list[Problem]:
    """Duplicate `id`s among the raw items, valid or not (a typo elsewhere must not hide one)."""
    seen: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(raw_items):
        item_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            problems.append(
                Problem(
                    path,
                    line_of(node, (index, "id"), 1),
                    "id",
                    f"duplicate id {item_id!r} (first used by item {seen[item_id]})",
                )
            )
        else:
            seen[item_id] = index
    return problems
