"""`careerbot pins export/import` and `careerbot report` on a real (SQLite) database."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from bot.db.database import Database
from tests.conftest import write_small_corpus
from tests.helpers import run_cli


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A configuration over the small test corpus with its own data directory (and database)."""
    write_small_corpus(tmp_path / "corpus")
    path = tmp_path / "careerbot.yaml"
    path.write_text("corpus_dir: corpus\ndata_dir: data\n", encoding="utf-8")
    return path


def _seed_questions(config_file: Path) -> None:
    async def seed() -> None:
        settings = Settings.load(config_file)
        database = await Database.open(settings.resolved_database_url)
        try:
            for question, answered in [
                ("机器学习工程师要学哪些数学？", True),
                ("机器学习工程师要学哪些数学？", True),
                ("what laptop should I buy for deep learning?", False),
                ("which laptop is best for deep learning", False),
                ("which laptop is best for deep learning", False),
                ("what is the weather tomorrow", False),
            ]:
                await database.answer_log.record_question(5, question, "en", answered, 0.5)
            await database.answer_log.record_vote(5, 1, "u1", "up", "q", ["a"])
            await database.answer_log.record_vote(5, 1, "u2", "down", "q", ["a"])
        finally:
            await database.close()

    asyncio.run(seed())


def test_pins_import_then_export_round_trip_and_reimport_skips(config_file, tmp_path):
    pins_file = tmp_path / "pins.yaml"
    pins_file.write_text(
        yaml.safe_dump(
            [
                {
                    "guild_id": 5,
                    "answer": "Learn Python first; the math can follow.",
                    "questions": ["Should I learn Python or math first?", "先学Python还是数学？"],
                    "created_by": 42,
                },
                {"guild_id": 6, "answer": "'; DROP TABLE pins; --", "questions": ["sql?"]},
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    first = run_cli(config_file, "pins", "import", str(pins_file))
    assert first.exit_code == 0, first.output
    assert "Imported 2 pinned answer(s); 0 already present" in first.output
    again = run_cli(config_file, "pins", "import", str(pins_file))
    assert "Imported 0 pinned answer(s); 2 already present" in again.output

    exported = tmp_path / "out.yaml"
    result = run_cli(config_file, "pins", "export", str(exported), "--guild", "5")
    assert result.exit_code == 0, result.output
    records = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert len(records) == 1 and records[0]["questions"] == [
        "Should I learn Python or math first?",
        "先学Python还是数学？",
    ]
    assert records[0]["answer"] == "Learn Python first; the math can follow."
    everything = run_cli(config_file, "pins", "export", "-")
    assert "DROP TABLE pins" in everything.output  # stored verbatim, nothing dropped


def test_pins_import_refuses_a_bad_file_with_entry_and_field(config_file, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump([{"guild_id": 5, "answer": "a", "questions": []}]))
    result = run_cli(config_file, "pins", "import", str(bad))
    assert result.exit_code == 1
    assert "entry 1, questions" in result.output and "Traceback" not in result.output
    not_a_list = tmp_path / "scalar.yaml"
    not_a_list.write_text("just text\n")
    assert "expected a list" in run_cli(config_file, "pins", "import", str(not_a_list)).output


def test_report_groups_unanswered_questions_by_meaning(config_file):
    _seed_questions(config_file)
    result = run_cli(config_file, "report")
    assert result.exit_code == 0, result.output
    assert "- questions: 6" in result.output
    assert "- without an answer: 4 (67%)" in result.output
    assert "1 👍, 1 👎 (50% 👍)" in result.output
    assert "1. 3 question(s)" in result.output  # the two laptop questions, 3 asks
    assert "   - 2× which laptop is best for deep learning" in result.output
    assert "2. 1 question(s)" in result.output

    csv_output = run_cli(config_file, "report", "--format", "csv").output.splitlines()
    assert csv_output[0] == "section,group,question,count"
    assert "unanswered,1,which laptop is best for deep learning,2" in csv_output

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert "- questions: 0" in run_cli(config_file, "report", "--since", tomorrow).output
    bad_date = run_cli(config_file, "report", "--since", "last week")
    assert bad_date.exit_code == 2 and "expected a date" in bad_date.output


def test_cards_suggest_prints_card_skeletons_for_the_groups_asked_most(config_file):
    _seed_questions(config_file)

    async def vote_down_a_card() -> None:
        settings = Settings.load(config_file)
        database = await Database.open(settings.resolved_database_url)
        try:
            hit_ids = ["card:alpha-math", "alpha#1"]
            await database.answer_log.record_vote(
                5, 2, "u3", "down", "which laptop is best for deep learning", hit_ids
            )
        finally:
            await database.close()

    asyncio.run(vote_down_a_card())
    result = run_cli(config_file, "cards", "suggest")
    assert result.exit_code == 0, result.output
    first, _, rest = result.stdout.partition("\n\n")
    assert first.startswith("# asked 4×: 3 unanswered, 1 👎 (cards voted down: alpha-math)")
    card = yaml.safe_load(first)[0]
    assert card["questions"]["en"] == [
        "which laptop is best for deep learning",
        "what laptop should I buy for deep learning?",
    ]
    assert card["answer"] == {"zh": "TODO", "en": "TODO"}
    assert "what is the weather tomorrow" in rest
    only_big = run_cli(config_file, "cards", "suggest", "--min-count", "2")
    assert "weather" not in only_big.stdout
    none = run_cli(config_file, "cards", "suggest", "--min-count", "99")
    assert none.exit_code == 1 and "no group was asked 99 times" in none.output
