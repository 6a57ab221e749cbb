"""The Discord application object: what it logs when it is created."""

import logging

from bot.config import Settings
from bot.discord.app import CareerBot


def test_no_voice_library_warnings_at_start_up(caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        CareerBot(Settings(data_dir=tmp_path), load_search=False)
    assert not [r for r in caplog.records if "voice" in r.getMessage().lower()]
