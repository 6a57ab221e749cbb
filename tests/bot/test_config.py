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


def test_the_default_data_directory_is_per_user_not_the_working_directory(tmp_path, monkeypatch):
    """`careerbot ask` run from another directory uses the same index, not a new ./data."""
    monkeypatch.chdir(tmp_path)  # no careerbot.yaml here
    monkeypatch.delenv("CAREERBOT_DATA_DIR", raising=False)
    monkeypatch.delenv("CAREERBOT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings.load().data_dir == tmp_path / "xdg" / "careerbot"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings.load().data_dir == tmp_path / "home" / ".local" / "share" / "careerbot"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # not absolute: ignored (XDG spec)
    assert Settings.load().data_dir == tmp_path / "home" / ".local" / "share" / "careerbot"


def test_with_a_configuration_file_the_data_directory_is_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAREERBOT_DATA_DIR", raising=False)
    config = tmp_path / "etc" / "careerbot.yaml"
    config.parent.mkdir()
    config.write_text("retrieval:\n  k: 4\n")
    assert Settings.load(config).data_dir == config.parent / "data"
    config.write_text("data_dir: elsewhere\n")  # the file's data_dir wins, relative to the file
    assert Settings.load(config).data_dir == config.parent / "elsewhere"
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path / "env"))  # the environment wins
    assert Settings.load(config).data_dir == tmp_path / "env"
    assert Settings.load().data_dir == tmp_path / "env"
