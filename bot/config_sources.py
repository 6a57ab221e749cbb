"""Where `bot.config.Settings` come from: the YAML file (its relative paths read from the file's
directory) and, for a bad value, the environment variable or file that set it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
)

# Path settings of the file, as (section, key); "" is the top level.
PATH_SETTINGS = (
    ("", "corpus_dir"),
    ("", "data_dir"),
    ("eval", "questions_file"),
    ("index", "dir"),
    ("discord", "token_file"),
)


def resolve_relative_paths(data: dict[str, Any], base: Path) -> None:
    """Relative paths in the file are relative to the file, not to the working directory."""
    for section, key in PATH_SETTINGS:
        table = data.get(section) if section else data
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, str) and not Path(value).is_absolute():
            table[key] = str(base / value)


class YamlFileSource(PydanticBaseSettingsSource):
    """Settings from the YAML file chosen by `Settings.load`."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]):
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def source_of(location: tuple[Any, ...], config_file: Path | None) -> str:
    """Where a bad value came from: the environment variable that set it (environment
    variables win over the file), else the configuration file, else the default."""
    environment = {name.upper(): name for name in os.environ}
    parts = [str(part).upper() for part in location]
    for length in range(len(parts), 0, -1):
        name = "CAREERBOT_" + "__".join(parts[:length])
        if name in environment:
            return f"environment variable {environment[name]}"
    return f"in {config_file}" if config_file is not None else "default value"
