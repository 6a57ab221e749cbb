"""The per-server vector rows behind pins and similar forum threads."""

from __future__ import annotations

import numpy as np
import pytest

from index.guild_vectors import GuildVectors
from tests.helpers import unit_vector


def test_rows_are_matched_only_in_their_server_and_above_the_threshold():
    rows: GuildVectors[str] = GuildVectors(2)
    rows.put(1, guild_id=10, items=[("near", "en")], vectors=unit_vector(1, 0))
    rows.put(2, guild_id=10, items=[("far", "en")], vectors=unit_vector(0, 1))
    rows.put(3, guild_id=20, items=[("elsewhere", "en")], vectors=unit_vector(1, 0))
    matches = rows.matches(10, unit_vector(1, 0.1), "en", 0.9, 0.8)
    assert [(m.owner, m.payload) for m in matches] == [(1, "near")]
    assert matches[0].similarity == pytest.approx(float(unit_vector(1, 0.1) @ unit_vector(1, 0)))


def test_the_other_language_needs_only_the_cross_language_threshold():
    rows: GuildVectors[str] = GuildVectors(2)
    rows.put(1, 10, [("中文问题", "zh")], unit_vector(1, 0.6))  # cosine to (1, 0): 0.857
    assert rows.matches(10, unit_vector(1, 0), "en", 0.9, 0.8)[0].owner == 1
    assert rows.matches(10, unit_vector(1, 0), "zh", 0.9, 0.8) == []


def test_put_replaces_an_owners_rows_in_any_server_and_remove_forgets_them():
    rows: GuildVectors[str] = GuildVectors(2)
    rows.put(1, 10, [("a", "en"), ("b", "en")], np.stack([unit_vector(1, 0), unit_vector(0, 1)]))
    assert len(rows) == 2
    rows.put(1, 20, [("c", "en")], unit_vector(1, 0))  # moved to another server, one phrasing
    assert len(rows) == 1
    assert rows.matches(10, unit_vector(1, 0), "en", 0.5, 0.5) == []
    assert [m.payload for m in rows.matches(20, unit_vector(1, 0), "en", 0.5, 0.5)] == ["c"]
    rows.remove(1)
    rows.remove(99)  # unknown: nothing happens
    assert len(rows) == 0


def test_an_owner_updated_in_place_keeps_its_place_and_others_survive_removal_past_growth():
    rows: GuildVectors[int] = GuildVectors(2)
    for owner in range(40):  # beyond the first capacity: the arrays grow
        rows.put(owner, 10, [(owner, "en")], unit_vector(1, owner / 100))
    rows.put(5, 10, [(500, "en")], unit_vector(1, 0.05))  # same owner, one row: updated in place
    for owner in range(0, 40, 2):
        rows.remove(owner)
    matches = rows.matches(10, unit_vector(1, 0), "en", 0.0, 0.0)
    assert sorted(m.owner for m in matches) == list(range(1, 40, 2))
    assert {m.owner: m.payload for m in matches}[5] == 500
    assert all(m.payload == m.owner for m in matches if m.owner != 5)


def test_excluded_owner_and_wrong_dimension():
    rows: GuildVectors[str] = GuildVectors(2)
    rows.put(1, 10, [("a", "en")], unit_vector(1, 0))
    assert rows.matches(10, unit_vector(1, 0), "en", 0.5, 0.5, exclude=1) == []
    with pytest.raises(ValueError, match="dimension"):
        rows.put(2, 10, [("b", "en")], np.ones(3, dtype=np.float32))
