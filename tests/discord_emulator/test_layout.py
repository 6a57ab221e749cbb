"""The emulator's layout: a facade composed of mixins over one shared state."""

from __future__ import annotations

import inspect
from collections import Counter

from discord_emulator import DiscordEmulator
from discord_emulator._state import EmulatorState


def test_no_two_parts_define_the_same_method() -> None:
    # a name defined twice would be decided silently by the order of the facade's bases
    parts = [c for c in DiscordEmulator.__mro__ if issubclass(c, EmulatorState)]
    assert len(parts) > 2
    defined = Counter(
        name
        for part in parts
        for name, value in vars(part).items()
        if inspect.isfunction(value) or isinstance(value, property | staticmethod | classmethod)
    )
    assert [name for name, count in defined.items() if count > 1] == []
