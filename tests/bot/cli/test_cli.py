import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import write_small_corpus
from tests.helpers import closed_early, run_cli

runner = CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A configuration over the small test corpus with its own data directory."""
    write_small_corpus(tmp_path / "corpus")
    path = tmp_path / "careerbot.yaml"
    path.write_text("corpus_dir: corpus\ndata_dir: data\n", encoding="utf-8")
    return path


def test_ask_builds_the_index_on_first_use_and_answers(config_file):
    result = run_cli(config_file, "ask", "机器学习工程师要学哪些数学？")
    assert result.exit_code == 0, result.output
    assert (config_file.parent / "data" / "index" / "CURRENT").exists()
    assert "最相关的段落" in result.output  # labels follow the question's language
    assert "线性代数" in result.output
    assert "https://example.com/alpha" in result.output
    english = run_cli(config_file, "ask", "Which course teaches Docker and deployment?")
    assert english.exit_code == 0, english.output
    assert "learning resources" in english.output  # English labels for English
    assert "Docker and Kubernetes Guide" in english.output


def test_search_json_one_object_per_query(config_file, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("数据科学家做什么\n\nWhat math do I need?\n", encoding="utf-8")
    result = run_cli(
        config_file,
        "search",
        "--json",
        "--k",
        "2",
        "--k-resources",
        "1",
        "--queries-file",
        str(queries),
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["数据科学家做什么", "What math do I need?"]
    for line in lines:
        kinds = [hit["kind"] for hit in line["hits"]]
        assert kinds.count("resource") == 1 and kinds.count("passage") <= 2
        for hit in line["hits"]:
            assert {"kind", "score", "title", "text", "url", "source"} <= hit.keys()
    assert lines[0]["hits"][0]["source"] == "beta"


def test_search_reports_bad_lines_and_exits_non_zero(config_file, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("🤖🤖\n数据科学家\n", encoding="utf-8")
    result = run_cli(config_file, "search", "--json", "--queries-file", str(queries))
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert "error" in first and first["hits"] == []
    assert second["hits"]


def test_search_json_shows_what_the_member_reads_and_why(config_file):
    result = run_cli(
        config_file, "search", "--json", "--k", "1", "--no-threshold", "What maths do I need?"
    )
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text) for text in result.stdout.splitlines()]
    assert {"lead", "lead_original", "reason", "relevance", "reply_language"} <= line.keys()
    passage = next(hit for hit in line["hits"] if hit["kind"] == "passage")
    assert passage["language"] == "zh"  # the original as written
    assert {"text_shown", "language_shown", "title_shown"} <= passage.keys()
    # the small corpus has no translation: the original is shown
    assert passage["language_shown"] == "zh" and passage["text_shown"] == passage["text"]


def test_invalid_utf8_is_one_line_per_query_and_the_others_are_answered(config_file):
    """Bytes that are not UTF-8, as an argument and on stdin, in a real process."""
    command = [sys.executable, "-m", "bot.cli", "--config", str(config_file)]
    asked = subprocess.run([*command, "ask", b"abc\xff\xfe"], capture_output=True, text=True)
    assert asked.returncode == 1 and "not valid UTF-8" in asked.stderr
    assert "Traceback" not in asked.stderr + asked.stdout
    searched = subprocess.run(
        [*command, "search", "--json", "--queries-file", "-"],
        input=b"\xff bad bytes\n\xe6\x95\xb0\xe6\x8d\xae\xe7\xa7\x91\xe5\xad\xa6\xe5\xae\xb6\n",
        capture_output=True,
    )
    assert searched.returncode == 1 and b"Traceback" not in searched.stderr
    first, second = (json.loads(line) for line in searched.stdout.decode().splitlines())
    assert first["error"] == "the question is not valid UTF-8 text" and "\ufffd" in first["query"]
    assert second["query"] == "数据科学家" and second["hits"]


def test_index_build_status_verify(config_file):
    built = run_cli(config_file, "index", "build")
    assert built.exit_code == 0 and "Built generation" in built.output
    again = run_cli(config_file, "index", "build")
    assert again.exit_code == 0 and "up to date" in again.output
    status = run_cli(config_file, "index", "status")
    assert status.exit_code == 0 and "up to date" in status.output
    assert run_cli(config_file, "index", "verify").exit_code == 0
    article = config_file.parent / "corpus" / "articles" / "beta.md"
    article.write_text(article.read_text() + "\n新的段落。\n", encoding="utf-8")
    stale = run_cli(config_file, "index", "status")
    assert stale.exit_code == 1 and "corpus changed" in stale.output


def test_index_verify_detects_corruption(config_file):
    assert run_cli(config_file, "index", "build").exit_code == 0
    index_root = config_file.parent / "data" / "index"
    generation = (index_root / "CURRENT").read_text().strip()
    target = index_root / "generations" / generation / "resources.json"
    target.write_text(target.read_text().replace("Udemy", "Udemx"))
    result = run_cli(config_file, "index", "verify")
    assert result.exit_code == 1 and "checksum" in result.output


def test_corpus_lint_reports_file_line_field(config_file):
    ok = run_cli(config_file, "corpus", "lint")
    assert ok.exit_code == 0 and "OK: 2 articles" in ok.output
    resources = config_file.parent / "corpus" / "resources.yaml"
    resources.write_text(resources.read_text().replace("level: intermediate", "level: expert", 1))
    bad = run_cli(config_file, "corpus", "lint")
    assert bad.exit_code == 1
    assert "resources.yaml:6: [0].level:" in bad.output


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 10_000, "too long"),
        ("\x00\x07\x1b", "empty"),
        ("\x1b[1;31m\x1b[0m\u202e", "empty"),  # escape sequences and a bidi override only
        ("😀🎉🚀", "no words"),
        ("！？。", "没有文字"),
    ],
)
def test_ask_bad_input_is_a_message_not_a_traceback(config_file, question, message):
    result = run_cli(config_file, "ask", question)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (config_file.parent / "data").exists()  # refused before any work


def test_missing_and_invalid_config(tmp_path):
    missing = runner.invoke(app, ["--config", str(tmp_path / "nope.yaml"), "ask", "hi"])
    assert missing.exit_code == 2 and "configuration file not found" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("retrieval:\n  k: zero\n")
    invalid = runner.invoke(app, ["--config", str(bad), "ask", "hi"])
    assert invalid.exit_code == 2 and "retrieval.k" in invalid.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("retrieval: [\n")
    result = runner.invoke(app, ["--config", str(broken), "index", "status"])
    assert result.exit_code == 2 and "invalid YAML" in result.output


def test_index_commands_without_an_index(config_file):
    for command in (["index", "status"], ["index", "verify"]):
        result = run_cli(config_file, *command)
        assert result.exit_code == 1 and "careerbot index build" in result.output


def test_console_script_exit_codes_without_traceback(tmp_path):
    """The installed entry point, in a real process, as a user would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "missing.yaml"), "ask", "hi"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "configuration file not found" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_run_check_validates_token_and_index(config_file, monkeypatch):
    monkeypatch.delenv("CAREERBOT_DISCORD__TOKEN", raising=False)
    no_token = run_cli(config_file, "run", "--check")
    assert no_token.exit_code == 2 and "CAREERBOT_DISCORD__TOKEN" in no_token.output
    monkeypatch.setenv("CAREERBOT_DISCORD__TOKEN", "secret-token-value")
    no_index = run_cli(config_file, "run", "--check")
    assert no_index.exit_code == 1 and "careerbot index build" in no_index.output
    assert run_cli(config_file, "index", "build").exit_code == 0
    ok = run_cli(config_file, "run", "--check")
    assert ok.exit_code == 0 and "token present" in ok.output
    assert "secret-token-value" not in ok.output + no_index.output


def test_token_in_the_config_file_is_refused(config_file, tmp_path):
    config_file.write_text(config_file.read_text() + "discord:\n  token: abc\n")
    result = run_cli(config_file, "run", "--check")
    assert result.exit_code == 2 and "must not be in the configuration file" in result.output


def test_token_file(config_file, tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERBOT_DISCORD__TOKEN", raising=False)
    secret = tmp_path / "token.txt"
    secret.write_text("from-file\n")
    config_file.write_text(config_file.read_text() + f"discord:\n  token_file: {secret}\n")
    assert run_cli(config_file, "index", "build").exit_code == 0
    assert run_cli(config_file, "run", "--check").exit_code == 0
    secret.unlink()
    missing = run_cli(config_file, "run", "--check")
    assert missing.exit_code == 2 and "cannot read discord.token_file" in missing.output


def test_index_build_gate_force_rollback_and_status(config_file):
    (config_file.parent / "questions.yaml").write_text(
        "- id: q-math\n  language: zh\n  question: 机器学习工程师要学哪些数学？\n"
        "  expected_passages: [{article: alpha, contains: 线性代数}]\n",
        encoding="utf-8",
    )
    with config_file.open("a", encoding="utf-8") as handle:
        handle.write("eval:\n  questions_file: questions.yaml\n")
    first = run_cli(config_file, "index", "build")
    assert first.exit_code == 0, first.output
    assert "Quality gate passed: MRR@10 1.000 (served: -)" in first.output

    alpha = config_file.parent / "corpus" / "articles" / "alpha.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace("线性代数和概率论", "沟通"), encoding="utf-8"
    )
    refused = run_cli(config_file, "index", "build")
    assert refused.exit_code == 1
    assert "worse: q-math rank 1 -> out of top 10" in refused.output
    assert "quality gate: MRR@10 would drop from 1.000 to 0.000" in refused.output
    assert "--force" in refused.output

    forced = run_cli(config_file, "index", "build", "--force")
    assert forced.exit_code == 0 and "without the quality gate" in forced.output
    status = run_cli(config_file, "index", "status")
    assert status.exit_code == 0, status.output
    generations = status.output.split("newest first:")[1].split()
    assert len(generations) == 5 and generations[1] == "(served)"  # the forced build, no MRR

    back = run_cli(config_file, "index", "rollback")
    assert back.exit_code == 0 and "Now serving generation" in back.output
    status = run_cli(config_file, "index", "status")
    assert status.exit_code == 1 and "the corpus changed" in status.output
    assert "(served) MRR 1.000" in status.output  # the first generation again, gate result kept
    again = run_cli(config_file, "index", "rollback")
    assert again.exit_code == 1 and "nothing to roll back to" in again.output


def test_corpus_new_article_scaffolds_checked_front_matter(config_file):
    created = run_cli(
        config_file,
        "corpus",
        "new-article",
        "mlops-first-steps",
        "--title",
        "MLOps 入门",
        "--tags",
        "mlops, career",
    )
    assert created.exit_code == 0, created.output
    path = config_file.parent / "corpus" / "articles" / "mlops-first-steps.md"
    lint = run_cli(config_file, "corpus", "lint")
    assert lint.exit_code == 1 and "mlops-first-steps.md:9: the article has no body text" in (
        lint.output
    )
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## 第一步\n\n先学会用 Docker 打包模型。\n",
        encoding="utf-8",
    )
    lint = run_cli(config_file, "corpus", "lint")
    assert lint.exit_code == 0 and "3 articles" in lint.output
    again = run_cli(config_file, "corpus", "new-article", "mlops-first-steps", "--title", "x")
    assert again.exit_code == 1 and "already exists" in again.output
    bad = run_cli(
        config_file, "corpus", "new-article", "Bad Id", "--title", "x", "--tags", "cooking"
    )
    assert bad.exit_code == 1 and "slug" in bad.output and "unknown topic(s) cooking" in bad.output


def test_lint_and_build_refuse_an_oversized_article(config_file):
    config_file.write_text(config_file.read_text() + "max_article_bytes: 2000\n")
    article = config_file.parent / "corpus" / "articles" / "beta.md"
    article.write_text(article.read_text() + "\n" + "很长的段落。" * 400 + "\n", encoding="utf-8")
    for command in (["corpus", "lint"], ["index", "build"]):
        result = run_cli(config_file, *command)
        assert result.exit_code == 1, result.output
        assert "beta.md" in result.output and "above the limit of 2,000" in result.output
    assert not (config_file.parent / "data" / "index" / "CURRENT").exists()


@pytest.mark.parametrize("command", [["ask", "how much math?"], ["report"], ["index", "build"]])
def test_an_unusable_data_directory_is_one_line_naming_the_path(config_file, command):
    blocker = config_file.parent / "a-file"
    blocker.write_text("not a directory")
    config_file.write_text(
        config_file.read_text().replace("data_dir: data", "data_dir: a-file/data")
    )
    result = run_cli(config_file, *command)
    assert result.exit_code == 1, result.output
    assert "a-file" in result.output and "Traceback" not in result.output
    assert "data_dir" in result.output


def test_ask_from_any_directory_uses_one_per_user_index(tmp_path):
    """Without a configuration file the index is built once per user, not in ./data of
    whichever directory `careerbot ask` runs in."""
    corpus = write_small_corpus(tmp_path / "corpus")
    environment = {
        **os.environ,
        "CAREERBOT_CORPUS_DIR": str(corpus),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    environment.pop("CAREERBOT_DATA_DIR", None)
    environment.pop("CAREERBOT_CONFIG", None)
    for name in ("here", "there"):
        cwd = tmp_path / name
        cwd.mkdir()
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ask", "机器学习工程师要学哪些数学？"],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=environment,
        )
        assert result.returncode == 0, result.stderr
        assert "线性代数" in result.stdout
        assert list(cwd.iterdir()) == []  # no ./data
    assert (tmp_path / "xdg" / "careerbot" / "index" / "CURRENT").exists()
    generations = tmp_path / "xdg" / "careerbot" / "index" / "generations"
    assert len(list(generations.iterdir())) == 1  # built once, by the first ask


def test_ask_dash_reads_the_question_from_standard_input(config_file):
    command = ["--config", str(config_file), "ask", "-"]
    result = runner.invoke(app, command, input="机器学习工程师要学哪些数学？\n")
    assert result.exit_code == 0, result.output
    assert "线性代数" in result.output and "最相关的段落" in result.output
    empty = runner.invoke(app, command, input="\n")
    assert empty.exit_code == 1 and "Traceback" not in empty.output
    described = runner.invoke(app, ["ask", "--help"], env={"COLUMNS": "200"}).output
    assert "'-' reads it from standard input" in described


def test_output_to_a_reader_that_stops_early_ends_quietly(config_file, tmp_path):
    """`careerbot ask … | head -1` and the like: status 0, nothing on stderr."""
    assert run_cli(config_file, "index", "build").exit_code == 0
    queries = tmp_path / "queries.txt"
    queries.write_text("数据科学家做什么\nWhat math do I need?\n" * 200, encoding="utf-8")
    config = ("--config", str(config_file))
    for args, lines in [
        (("ask", "机器学习工程师要学哪些数学？"), 0),
        (("ask", "机器学习工程师要学哪些数学？"), 1),
        (("search", "--json", "--queries-file", str(queries)), 1),  # more than a pipe holds
        (("search", "--queries-file", str(queries)), 1),
    ]:
        ended = closed_early(*config, *args, reader_takes=lines)
        assert ended.returncode == 0 and ended.stderr == b"", (args, ended.stderr.decode())
