"""Configuration errors say where the bad value came from."""

import pytest

from bot.config import ConfigError, Settings


def test_a_bad_environment_variable_is_named_not_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no careerbot.yaml here
    monkeypatch.setenv("CAREERBOT_RETRIEVAL__K", "zero")
    with pytest.raises(ConfigError, match="environment variable CAREERBOT_RETRIEVAL__K") as caught:
        Settings.load()
    assert "careerbot.yaml" not in str(caught.value)


def test_a_bad_file_value_names_the_file_and_the_environment_wins(tmp_path, monkeypatch):
    config = tmp_path / "careerbot.yaml"
    config.write_text("retrieval:\n  k: zero\n")
    with pytest.raises(ConfigError, match=f"in {config}"):
        Settings.load(config)
    monkeypatch.setenv("CAREERBOT_RETRIEVAL__K", "4")  # the environment wins over the file
    assert Settings.load(config).retrieval.k == 4
