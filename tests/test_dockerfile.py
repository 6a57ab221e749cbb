"""The Dockerfile and docker-compose.yml, checked as far as possible without a Docker engine:
stages, base image, install order, user, entrypoint, health check, volume, files copied, and
that every CAREERBOT_* variable they set is a real setting."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.config import OpsSettings, Settings

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for kw, arguments in self.instructions if kw == keyword]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued instruction"
    result = []
    for instruction in logical:
        keyword, _, arguments = instruction.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def _stages(instructions: list[tuple[str, str]]) -> tuple[dict[str, str], list[Stage]]:
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, rest in instructions:
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            arguments[name] = default
        elif keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append((keyword, rest))
    return arguments, stages


def _env(arguments: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(arguments))


def _exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return _stages(_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")))[1]


@pytest.fixture(scope="module")
def runtime(stages: list[Stage]) -> Stage:
    return stages[-1]


@pytest.fixture(scope="module")
def runtime_env(runtime: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in runtime.all("ENV"):
        env.update(_env(arguments))
    return env


def test_a_multi_stage_build_on_a_slim_python(stages):
    assert len(stages) >= 2
    names = [stage.name for stage in stages]
    assert len(set(names)) == len(names)
    for stage in stages:
        assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", stage.base), stage.base
    # the runtime takes its virtualenv and index from the builder, nothing else from outside
    copies = stages[-1].all("COPY")
    assert copies and all(c.startswith("--from=builder") for c in copies)


def test_cpu_torch_is_installed_before_the_project(stages):
    builder = stages[0]
    runs = builder.all("RUN")
    torch = next(i for i, r in enumerate(runs) if "torch==" in r)
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch]
    pinned = re.search(r"torch==(\S+)", runs[torch]).group(1)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"torch=={pinned}" in ci  # the same version CI tests with
    project = next(i for i, r in enumerate(runs) if re.search(r"pip install '?\.\[", r))
    assert torch < project


def test_the_index_is_built_in_the_image_from_the_corpus_it_ships(stages, runtime_env):
    builder_env: dict[str, str] = {}
    for arguments in stages[0].all("ENV"):
        builder_env.update(_env(arguments))
    assert any("careerbot index build" in r for r in stages[0].all("RUN"))
    for name in ("CAREERBOT_CORPUS_DIR", "CAREERBOT_INDEX__DIR"):
        assert builder_env[name] == runtime_env[name]  # served where it was built
    index_dir = runtime_env["CAREERBOT_INDEX__DIR"]
    corpus_dir = runtime_env["CAREERBOT_CORPUS_DIR"]
    copies = stages[-1].all("COPY")
    assert any(c.split()[-1] == index_dir for c in copies)
    assert any(c.split()[-1] == corpus_dir for c in copies)


def test_the_bot_runs_as_a_non_root_user_in_exec_form(runtime):
    keywords = [keyword for keyword, _ in runtime.instructions]
    users = runtime.all("USER")
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    assert _exec_form(runtime.all("ENTRYPOINT")[-1]) == ["careerbot"]
    assert _exec_form(runtime.all("CMD")[-1]) == ["run"]
    assert runtime.all("STOPSIGNAL") == ["SIGTERM"]  # the graceful shutdown's signal


def test_the_health_check_asks_the_bots_health_endpoint(runtime, runtime_env):
    [check] = runtime.all("HEALTHCHECK")
    assert "--start-period=" in check
    command = _exec_form(check.split("CMD", 1)[1].strip())
    url = re.search(r"http://([\d.]+):(\d+)(/\w+)", " ".join(command))
    assert url is not None
    # the container runs with the default host and port: the check must ask those
    assert "CAREERBOT_OPS__HEALTH_PORT" not in runtime_env
    assert "CAREERBOT_OPS__HEALTH_HOST" not in runtime_env
    assert url.group(1) == OpsSettings().health_host
    assert int(url.group(2)) == OpsSettings().health_port
    assert url.group(3) == "/healthz"


def test_the_data_directory_is_the_volume(runtime, runtime_env):
    volumes = [v for arguments in runtime.all("VOLUME") for v in shlex.split(arguments)]
    assert volumes == [runtime_env["CAREERBOT_DATA_DIR"]]


def _environment_names(stages: list[Stage]) -> set[str]:
    names = set()
    for stage in stages:
        for arguments in stage.all("ENV"):
            names.update(_env(arguments))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names.update(compose["services"]["bot"].get("environment", {}))
    names.update(re.findall(r"#\s*(CAREERBOT_\w+):", text))  # the commented-out options too
    return {name for name in names if name.startswith("CAREERBOT_")}


def _is_setting(name: str) -> bool:
    """Whether CAREERBOT_A__B names the field b of the section a of Settings."""
    path = name.removeprefix("CAREERBOT_").lower().split("__")
    model: type = Settings
    for part in path:
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return False
        model = fields[part].annotation  # type: ignore[assignment]
    return True


def test_every_careerbot_variable_is_a_setting(stages):
    names = _environment_names(stages)
    assert {"CAREERBOT_DATA_DIR", "CAREERBOT_DISCORD__TOKEN_FILE"} <= names
    assert [name for name in sorted(names) if not _is_setting(name)] == []
    assert not _is_setting("CAREERBOT_OPS__HEALTH_PROT")  # the check can fail


def _dockerignored(path: str, patterns: list[str]) -> bool:
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        or fnmatch.fnmatch(Path(prefix).name, pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_files_copied_from_the_context_exist_and_are_not_dockerignored(stages):
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = []
    for stage in stages:
        for arguments in stage.all("COPY"):
            words = [w for w in shlex.split(arguments) if not w.startswith("--")]
            if arguments.startswith("--from="):
                continue
            sources += words[:-1]
    assert {"pyproject.toml", "corpus", "index", "bot"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _dockerignored(source, patterns), source
    # what the image must not carry
    for private in (".git", ".venv", "data", "discord_token.txt"):
        assert _dockerignored(private, patterns), private


def test_compose_runs_the_bot_with_a_secret_token_and_optional_postgres(runtime_env):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["build"] == "."
    assert bot["environment"]["CAREERBOT_DISCORD__TOKEN_FILE"] == "/run/secrets/discord_token"
    assert "discord_token" in bot["secrets"] and "discord_token" in compose["secrets"]
    assert "CAREERBOT_DISCORD__TOKEN" not in bot["environment"]  # never a token in the file
    assert [v.split(":")[1] for v in bot["volumes"]] == [runtime_env["CAREERBOT_DATA_DIR"]]
    postgres = compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"]  # optional: only with --profile postgres
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert bot["depends_on"]["postgres"]["required"] is False
    grace = int(bot["stop_grace_period"].rstrip("s"))
    assert grace > OpsSettings().shutdown_grace_seconds  # Docker's SIGKILL comes after ours
