import asyncio
import json

from bot.feedback import FeedbackLog, hash_user_id


def test_votes_are_appended_with_hashed_users(tmp_path):
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")

    async def vote_twice():
        await asyncio.gather(
            log.record(
                guild_id=1,
                channel_id=2,
                message_id=3,
                question="数学？",
                vote="up",
                user_id=123456789,
                hit_ids=["a#1", "r1"],
            ),
            log.record(
                guild_id=1,
                channel_id=2,
                message_id=3,
                question="数学？",
                vote="down",
                user_id=42,
                hit_ids=[],
            ),
        )

    asyncio.run(vote_twice())
    records = log.read()
    assert sorted(r.vote for r in records) == ["down", "up"]
    raw = (tmp_path / "sub" / "feedback.jsonl").read_text(encoding="utf-8")
    assert "123456789" not in raw and hash_user_id(123456789) in raw
    assert all(json.loads(line)["question"] == "数学？" for line in raw.splitlines())
    assert hash_user_id(42) != hash_user_id(43) and len(hash_user_id(42)) == 16


def test_empty_log_reads_as_nothing(tmp_path):
    assert FeedbackLog(tmp_path / "none.jsonl").read() == []
