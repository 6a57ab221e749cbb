"""Message components as Discord checks them: action rows of buttons or one select menu, and
the clicks a member can make on them.

`component_errors` applies Discord's limits to the `components` of a message the bot sends or
edits (a 400, 50035 "Invalid Form Body" in `_messages`): at most 5 rows of at most 5 buttons,
a select menu alone in its row, custom_ids of at most 100 characters and unique in the
message, button labels of at most 80; a select's placeholder of at most 150 characters,
`min_values` 0-25, `max_values` 1-25 and not below `min_values`; a string select's 1-25
options, each label, value and description of at most 100 characters, values unique,
`max_values` no more than the options.

`checked_click` is what a member's client can send for a component: one that is on the
message, enabled, of the type clicked, and for a select only values among its options, as
many as `min_values`..`max_values` allow (a test asking for anything else is refused with a
ValueError: Discord would never send it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_ROW = 1
_BUTTON = 2
_STRING_SELECT = 3
_SELECTS = frozenset({3, 5, 6, 7, 8})  # string, user, role, mentionable, channel
_LINK_STYLE = 5
_PREMIUM_STYLE = 6

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
SELECT_PLACEHOLDER = 150
SELECT_OPTIONS = 25
OPTION_TEXT = 100  # an option's label, value and description
SELECT_VALUES = 25


def _too_long(limit: int) -> tuple[str, str]:
    return ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _at_most(limit: int) -> tuple[str, str]:
    return ("NUMBER_TYPE_MAX", f"int value should be less than or equal to {limit}.")


def _at_least(limit: int) -> tuple[str, str]:
    return ("NUMBER_TYPE_MIN", f"int value should be greater than or equal to {limit}.")


def _select_errors(item: dict[str, Any], at: str) -> dict[str, tuple[str, str]]:
    errors: dict[str, tuple[str, str]] = {}
    if len(item.get("placeholder") or "") > SELECT_PLACEHOLDER:
        errors[f"{at}.placeholder"] = _too_long(SELECT_PLACEHOLDER)
    low, high = item.get("min_values", 1), item.get("max_values", 1)
    if not 0 <= low <= SELECT_VALUES:
        errors[f"{at}.min_values"] = _at_most(SELECT_VALUES) if low > 0 else _at_least(0)
    if not 1 <= high <= SELECT_VALUES:
        errors[f"{at}.max_values"] = _at_most(SELECT_VALUES) if high > 1 else _at_least(1)
    elif low > high:
        errors[f"{at}.min_values"] = _at_most(high)
    if item["type"] != _STRING_SELECT:
        return errors
    options = item.get("options") or []
    if not options:
        errors[f"{at}.options"] = ("BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
    elif len(options) > SELECT_OPTIONS:
        errors[f"{at}.options"] = _too_long(SELECT_OPTIONS)
    elif high > len(options):
        errors[f"{at}.max_values"] = _at_most(len(options))
    values: set[str] = set()
    for index, option in enumerate(options):
        for key in ("label", "value", "description"):
            if len(option.get(key) or "") > OPTION_TEXT:
                errors[f"{at}.options.{index}.{key}"] = _too_long(OPTION_TEXT)
        for key in ("label", "value"):
            if not option.get(key):
                errors[f"{at}.options.{index}.{key}"] = (
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
        if option.get("value") in values:
            errors[f"{at}.options.{index}.value"] = (
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                "The specified option value is already used",
            )
        values.add(option.get("value"))
    return errors


def component_errors(components: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """What Discord would refuse in a (non components-v2) message's `components`, as dotted
    field paths to (code, message)."""
    errors: dict[str, tuple[str, str]] = {}
    if len(components) > MAX_ROWS:
        errors["components"] = _too_long(MAX_ROWS)
    seen: set[str] = set()
    for r, row in enumerate(components):
        if row.get("type") != _ROW:
            errors[f"components.{r}.type"] = (
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
            continue
        items = row.get("components") or []
        selects = [item for item in items if item.get("type") in _SELECTS]
        if not items:
            errors[f"components.{r}.components"] = (
                "BASE_TYPE_MIN_LENGTH",
                "Must be 1 or more in length.",
            )
        elif len(items) > MAX_BUTTONS_PER_ROW or (selects and len(items) > 1):
            errors[f"components.{r}.components"] = (
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for i, item in enumerate(items):
            at = f"components.{r}.components.{i}"
            custom_id = item.get("custom_id")
            link = item.get("type") == _BUTTON and item.get("style") in (
                _LINK_STYLE,
                _PREMIUM_STYLE,
            )
            if not link and not custom_id:
                errors[f"{at}.custom_id"] = ("BASE_TYPE_REQUIRED", "This field is required")
            elif custom_id and len(custom_id) > CUSTOM_ID:
                errors[f"{at}.custom_id"] = _too_long(CUSTOM_ID)
            elif custom_id in seen:
                errors[f"{at}.custom_id"] = (
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            if custom_id:
                seen.add(custom_id)
            if item.get("type") == _BUTTON and len(item.get("label") or "") > BUTTON_LABEL:
                errors[f"{at}.label"] = _too_long(BUTTON_LABEL)
            if item.get("type") in _SELECTS:
                errors.update(_select_errors(item, at))
    return errors


def _components(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for row in message.get("components") or []:
        yield from row.get("components") or []


def checked_click(
    message: dict[str, Any], custom_id: str, component_type: int, values: list[str] | None
) -> None:
    """Refuse (ValueError) a click a member's client could not send on `message`."""
    found = [c for c in _components(message) if c.get("custom_id") == custom_id]
    if not found:
        raise ValueError(f"message {message.get('id')} has no component {custom_id!r}")
    component = found[0]
    if component.get("type") != component_type:
        raise ValueError(
            f"{custom_id!r} is a component of type {component.get('type')}, not {component_type}"
        )
    if component.get("disabled"):
        raise ValueError(f"{custom_id!r} is disabled: a member cannot use it")
    if component_type not in _SELECTS:
        if values is not None:
            raise ValueError("only select menus send values")
        return
    chosen = values or []
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(chosen) <= high:
        raise ValueError(f"{custom_id!r} takes {low} to {high} values, not {len(chosen)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError("a value is chosen once at most")
    if component_type == _STRING_SELECT:
        offered = {option.get("value") for option in component.get("options") or []}
        unknown = [value for value in chosen if value not in offered]
        if unknown:
            raise ValueError(f"{custom_id!r} offers no option {unknown}")
