"""The Dockerfile, docker-compose.yml and the image build's helper, checked without a Docker
engine: stages and base image, dependencies installed before the code (by simulating which
layers a change invalidates), no torch by default, user, HOME and HF_HOME, entrypoint, the health
check (run against a local server on the configured port), volume, files copied, that every
CAREERBOT_* variable is a real setting, stop timeouts above the shutdown grace, the token never in
a `docker run`'s environment, the README sections named, and how the build reaches the package
index. .ci/container.sh builds and runs the image for real."""

from __future__ import annotations

import fnmatch
import http.server
import importlib.metadata
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.config import OpsSettings, Settings

ROOT = Path(__file__).resolve().parents[1]
USER_ID = "10001"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for kw, arguments in self.instructions if kw == keyword]

    def arguments(self) -> dict[str, str]:
        """The stage's ARG defaults."""
        found = {}
        for arguments in self.all("ARG"):
            name, _, default = arguments.partition("=")
            found[name] = "".join(shlex.split(default))
        return found


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
            arguments[name] = "".join(shlex.split(default))
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


def _without_mounts(run: str) -> str:
    """A RUN's shell command without its leading --mount=… options."""
    return re.sub(r"^(--mount=\S+\s+)+", "", run)


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return _stages(_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def stages(dockerfile) -> list[Stage]:
    return dockerfile[1]


@pytest.fixture(scope="module")
def runtime(stages: list[Stage]) -> Stage:
    return stages[-1]


@pytest.fixture(scope="module")
def runtime_env(runtime: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in runtime.all("ENV"):
        env.update(_env(arguments))
    return env


def _stage(stages: list[Stage], name: str) -> Stage:
    return next(stage for stage in stages if stage.name == name)


def test_a_multi_stage_build_on_a_slim_python(dockerfile, stages):
    arguments, _ = dockerfile
    assert len(stages) >= 2
    names = [stage.name for stage in stages]
    assert len(set(names)) == len(names)
    for position, stage in enumerate(stages):
        earlier = {s.name for s in stages[:position]}
        assert stage.base in earlier or re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", stage.base), (
            stage.base
        )
    # the runtime starts from the plain base (no build tools) and takes everything else from
    # the earlier stages, nothing from the build context
    assert stages[-1].base == arguments["PYTHON_IMAGE"]
    copies = stages[-1].all("COPY")
    assert copies and all(re.match(r"--from=(\S+)", c).group(1) in names for c in copies)


def _invalidated(stages: list[Stage], changed: str) -> dict[str | None, int | None]:
    """Per stage, the position of the first instruction whose build cache a change to the
    context file `changed` invalidates (None: the whole stage is reused), as Docker decides:
    a COPY of it or of a stage it invalidated, a RUN mounting such a stage, FROM such a stage."""
    first: dict[str | None, int | None] = {}
    for stage in stages:
        position = 0 if first.get(stage.base) is not None else None
        for i, (keyword, arguments) in enumerate(stage.instructions):
            if position is not None:
                break
            origin = re.search(r"(?:--|,)from=([\w.-]+)", arguments)  # COPY --from, RUN --mount
            if keyword == "COPY" and origin is None:
                sources = [w for w in shlex.split(arguments) if not w.startswith("--")][:-1]
                if any(
                    s in (".", "./") or changed == s or changed.startswith(s + "/") for s in sources
                ):
                    position = i
            elif origin is not None and first.get(origin.group(1)) is not None:
                position = i  # COPY --from or RUN --mount=…,from=
        first[stage.name] = position
    return first


def _installs_dependencies(keyword: str, arguments: str) -> bool:
    return keyword == "RUN" and "pip install" in arguments and "--no-deps" not in arguments


def test_dependencies_are_installed_before_the_code_is_copied(stages, runtime):
    for changed in ("bot/discord/app.py", "index/retriever.py", "corpus/loader.py", "README.md"):
        invalidated = _invalidated(stages, changed)
        for stage in stages:
            cut = invalidated[stage.name]
            for i, (keyword, arguments) in enumerate(stage.instructions):
                if _installs_dependencies(keyword, arguments):
                    assert cut is None or i < cut, f"{changed} reinstalls: {arguments}"
        # the runtime takes its virtualenv from a stage that a code change leaves alone…
        keywords = runtime.instructions
        venv = next(i for i, (k, a) in enumerate(keywords) if k == "COPY" and "/opt/venv" in a)
        origin = re.search(r"--from=(\S+)", keywords[venv][1]).group(1)
        assert invalidated[origin] is None, origin
        assert invalidated[runtime.name] is None or venv < invalidated[runtime.name]
        # …and the project itself, without dependencies, from one that the change rebuilds
        project = [
            (stage, i)
            for stage in stages
            for i, (keyword, arguments) in enumerate(stage.instructions)
            if keyword == "RUN" and re.search(r"pip install --no-deps", arguments)
        ]
        assert {stage.name for stage, _ in project} >= {"builder", runtime.name}
        for stage, i in project:
            assert invalidated[stage.name] is not None and i >= invalidated[stage.name]
    # the simulation can tell: a change to pyproject.toml does reinstall the dependencies
    invalidated = _invalidated(stages, "pyproject.toml")
    deps = _stage(stages, "deps")
    assert any(
        _installs_dependencies(keyword, arguments) and i >= invalidated["deps"]
        for i, (keyword, arguments) in enumerate(deps.instructions)
    )
    # the dependency stage sees no code at all
    for arguments in deps.all("COPY"):
        assert shlex.split(arguments)[:-1] == ["pyproject.toml"], arguments


def _requirements_command(stages: list[Stage]) -> list[str]:
    deps = _stage(stages, "deps")
    run = next(r for r in deps.all("RUN") if "> requirements.txt" in r)
    words = shlex.split(run)
    assert words[:2] == ["python", "-c"] and words[3:] == ["$EXTRAS", ">", "requirements.txt"]
    return [sys.executable, "-c", words[2]]


def test_the_requirements_come_from_pyproject_metadata(stages):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    command = _requirements_command(stages)

    def requirements(extras: str) -> list[str]:
        result = subprocess.run(
            [*command, extras], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return result.stdout.splitlines()

    assert requirements("") == project["dependencies"]
    assert requirements("st") == project["dependencies"] + project["optional-dependencies"]["st"]
    with pytest.raises(subprocess.CalledProcessError):
        requirements("no-such-extra")  # a misspelt extra fails the build


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in, read from the installed metadata."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        names.add(key[0])
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            continue  # not for this platform or Python
        for text in distribution.requires or []:
            dependency = Requirement(text)
            environments = [{"extra": extra} for extra in ("", *requirement.extras)]
            if dependency.marker is None or any(
                dependency.marker.evaluate(environment) for environment in environments
            ):
                todo.append(dependency)
    return names


def test_the_default_image_has_no_torch(dockerfile, stages, tmp_path):
    arguments, _ = dockerfile
    assert arguments["EXTRAS"] == ""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        importlib.metadata.distribution(Requirement(requirement).name)  # installed: can tell
    assert "torch" not in _closure(project["dependencies"])
    assert "torch" in _closure(project["optional-dependencies"]["st"])  # the check can fail
    # torch is installed only for the st extra, and then its CPU build at CI's version
    deps = _stage(stages, "deps")
    [run] = [r for r in deps.all("RUN") if "torch==" in r]
    stub = tmp_path / "bin" / "pip"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\necho "$@" >> "$PIP_CALLS"\n', encoding="utf-8")
    stub.chmod(0o755)

    def pip_calls(extras: str) -> list[str]:
        calls = tmp_path / f"calls-{extras}"
        calls.touch()
        environment = {
            **deps.arguments(),
            "EXTRAS": extras,
            "PIP_CALLS": str(calls),
            "PATH": f"{stub.parent}:/usr/bin:/bin",
        }
        subprocess.run(["sh", "-c", _without_mounts(run)], env=environment, check=True)
        return calls.read_text(encoding="utf-8").splitlines()

    assert pip_calls("") == []
    [call] = pip_calls("st")
    version = deps.arguments()["TORCH_VERSION"]
    assert call.split()[-1] == f"torch=={version}+cpu"  # +cpu: never the CUDA wheels
    assert f"torch=={version}" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert pip_calls("st,other") and pip_calls("other") == []


def test_the_index_is_built_in_the_image_from_the_corpus_it_ships(stages, runtime_env):
    builder = _stage(stages, "builder")
    builder_env: dict[str, str] = {}
    for arguments in builder.all("ENV"):
        builder_env.update(_env(arguments))
    assert any("careerbot index build" in r for r in builder.all("RUN"))
    for name in ("CAREERBOT_CORPUS_DIR", "CAREERBOT_INDEX__DIR"):
        assert builder_env[name] == runtime_env[name]  # served where it was built
    index_dir = runtime_env["CAREERBOT_INDEX__DIR"]
    corpus_dir = runtime_env["CAREERBOT_CORPUS_DIR"]
    copies = stages[-1].all("COPY")
    assert any(c.split()[-1] == index_dir for c in copies)
    assert any(c.split()[-1] == corpus_dir for c in copies)


def _user(runtime: Stage) -> dict[str, str]:
    """The runtime's useradd: its options (a flag maps to ""), "name", and the whole RUN."""
    [run] = [r for r in runtime.all("RUN") if "useradd" in r]
    words = shlex.split(run)
    command = words[words.index("useradd") + 1 :]
    command = command[: command.index("&&")] if "&&" in command else command
    options = {"name": command[-1], "run": run}
    for i, word in enumerate(command[:-1]):
        if word.startswith("--"):
            value = command[i + 1]
            options[word] = "" if value.startswith("--") or i + 1 == len(command) - 1 else value
    return options


def test_the_bot_runs_as_a_non_root_user_in_exec_form(runtime):
    keywords = [keyword for keyword, _ in runtime.instructions]
    users = runtime.all("USER")
    user = _user(runtime)
    assert users and users[-1].split(":")[0] == user["name"] not in {"root", "0", ""}
    assert user["--uid"] == USER_ID and "--system" in user["run"]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    assert _exec_form(runtime.all("ENTRYPOINT")[-1]) == ["careerbot"]
    assert _exec_form(runtime.all("CMD")[-1]) == ["run"]
    assert runtime.all("STOPSIGNAL") == ["SIGTERM"]  # the graceful shutdown's signal


def test_home_and_hf_home_belong_to_the_user(runtime, runtime_env):
    user = _user(runtime)
    home, hf_home = runtime_env["HOME"], runtime_env["HF_HOME"]
    assert user["--home-dir"] == home and "--create-home" in user["run"]
    # HF_HOME is created and handed to the user, like the data volume it lives on
    volume = runtime_env["CAREERBOT_DATA_DIR"]
    assert hf_home.startswith(volume + "/") or hf_home.startswith(home + "/")
    run = user["run"]
    assert re.search(rf"mkdir -p \S*{re.escape(hf_home)}\b", run)
    owned = re.findall(rf"chown -R {user['name']}:\S+ (\S+)", run)
    assert any(hf_home == o or hf_home.startswith(o + "/") for o in owned), owned
    assert any(volume == o for o in owned), owned


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).asked.append(self.path)
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[int, type[_Health]]]:
    handler = type("Handler", (_Health,), {"asked": []})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


def test_the_health_check_asks_the_configured_health_port(
    runtime, health_server, monkeypatch, tmp_path
):
    [check] = runtime.all("HEALTHCHECK")
    assert "--start-period=" in check
    command = _exec_form(check.split("CMD", 1)[1].strip())
    assert command[:2] == ["python", "-c"] and str(OpsSettings().health_port) not in check
    code = compile(command[2], "HEALTHCHECK", "exec")
    port, handler = health_server
    monkeypatch.chdir(tmp_path)  # no careerbot.yaml here
    monkeypatch.delenv("CAREERBOT_CONFIG", raising=False)
    monkeypatch.setenv("CAREERBOT_OPS__HEALTH_PORT", str(port))
    for host in ("127.0.0.1", "0.0.0.0"):  # a wildcard address is asked on loopback
        monkeypatch.setenv("CAREERBOT_OPS__HEALTH_HOST", host)
        exec(code, {})
    assert handler.asked == ["/healthz", "/healthz"]
    handler.status = 503  # starting, disconnected or shutting down: unhealthy
    with pytest.raises(urllib.error.HTTPError):
        exec(code, {})
    monkeypatch.setenv("CAREERBOT_OPS__HEALTH_PORT", "0")  # the endpoint is off: say so
    with pytest.raises(SystemExit, match="health_port is 0"):
        exec(code, {})


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
    assert {"pyproject.toml", "README.md", "corpus", "index", "bot"} <= set(sources)
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


def test_every_docker_run_example_waits_longer_than_the_shutdown_grace():
    grace = OpsSettings().shutdown_grace_seconds
    for path in ("README.md", "Dockerfile"):
        text = (ROOT / path).read_text(encoding="utf-8").replace("\\\n", " ")
        examples = [line for line in text.splitlines() if re.search(r"docker run\b.* -d\b", line)]
        assert examples, f"no `docker run -d` example in {path}"
        for example in examples:
            timeout = re.search(r"--stop-timeout[ =](\d+)", example)
            assert timeout and int(timeout.group(1)) > grace, example


@pytest.fixture(scope="module")
def container_build() -> ModuleType:
    """.ci/container_build.py (a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "container_build", ROOT / ".ci/container_build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_build_reaches_the_index_like_the_hosts_pip(container_build, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "simple" / "pkg").mkdir(parents=True)
    (mirror / "files").mkdir()
    (mirror / "files" / "pkg-1.0-py3-none-any.whl").write_bytes(b"wheel")
    (mirror / "simple" / "pkg" / "index.html").write_text(
        '<a href="../../files/pkg-1.0-py3-none-any.whl">pkg</a>', encoding="utf-8"
    )
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    constraints = tmp_path / "pip" / "constraints.txt"
    constraints.parent.mkdir()
    constraints.write_text("torch<=2.14\n", encoding="utf-8")
    (tmp_path / "pip" / "pip.conf").write_text("index-url = https://u:secret@x/\n", "utf-8")
    cert = tmp_path / "ca.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    options = {
        "index-url": "https://pypi.example/simple",
        "extra-index-url": f"{(mirror / 'simple').as_uri()} file:///nonexistent/simple",
        "find-links": str(wheels),
        "constraint": str(constraints),
        "cert": str(cert),
        "cache-dir": "/root/.cache/pip",
        "default-timeout": "180",
        "trusted-host": "a.example\nb.example",
    }
    files = container_build.LoopbackFiles()
    config = container_build.translate(options, files.url)
    files.allow(config.served)
    text = config.text()
    assert text.startswith("[global]\n") and "cache-dir" not in text  # the host's own paths
    assert config.options["index-url"] == "https://pypi.example/simple"  # remote: as it is
    assert config.options["default-timeout"] == "180"
    assert "trusted-host = a.example\n    b.example\n" in text  # continued as in a pip.conf
    assert config.options["cert"] == "/run/secrets/pip-cert" and config.secrets == {
        "pip-cert": cert
    }
    assert config.notes == [
        "extra-index-url: file:///nonexistent/simple does not exist here; left out"
    ]
    [index] = config.options["extra-index-url"].split()
    assert index.startswith(files.url + "/") and index.endswith("/mirror/simple/")
    with files.serving():
        page = urllib.request.urlopen(index + "pkg/").read().decode()
        link = urllib.parse.urljoin(index + "pkg/", re.search(r'href="([^"]+)"', page).group(1))
        assert urllib.request.urlopen(link).read() == b"wheel"  # beside the index: served
        assert urllib.request.urlopen(config.options["constraint"]).read() == b"torch<=2.14\n"
        assert urllib.request.urlopen(config.options["find-links"]).status == 200
        prefix = files.url.rsplit("/", 1)[0]
        for unserved in (
            files.url + str(tmp_path / "pip" / "pip.conf"),  # beside a served file, not served
            files.url + str(mirror / "simple") + "/../../pip/pip.conf",
            prefix + str(constraints),  # without the secret prefix
        ):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(unserved)


def test_the_build_uses_pips_precedence(container_build, monkeypatch, tmp_path):
    configuration = tmp_path / "pip.conf"
    configuration.write_text("[global]\nretries = 1\n[install]\nretries = 2\n", encoding="utf-8")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(configuration))
    monkeypatch.delenv("PIP_RETRIES", raising=False)
    assert container_build.effective_pip_options()["retries"] == "2"  # install over global
    monkeypatch.setenv("PIP_RETRIES", "3")
    options = container_build.effective_pip_options()
    assert options["retries"] == "3" and "config-file" in options  # the environment wins
    assert "config-file" not in container_build.translate(options, "http://127.0.0.1:1/x").options


def test_no_docker_run_example_passes_the_token_in_the_environment():
    """The README's advice, followed by every example: the token in a file (a secret mounted
    read-only, `CAREERBOT_DISCORD__TOKEN_FILE`), never in the container's environment."""
    for path in ("README.md", "Dockerfile"):
        text = (ROOT / path).read_text(encoding="utf-8").replace("\\\n", " ")
        examples = [line for line in text.splitlines() if re.search(r"docker run\b.* -d\b", line)]
        assert examples, f"no `docker run -d` example in {path}"
        for example in examples:
            assert "CAREERBOT_DISCORD__TOKEN=" not in example, example
            assert "CAREERBOT_DISCORD__TOKEN_FILE=/run/secrets/discord_token" in example, example
            assert "/run/secrets/discord_token:ro" in example, example


def test_sections_of_the_readme_named_elsewhere_exist():
    headings = {
        line.lstrip("#").strip()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    named = []
    for path in ("README.md", "Dockerfile", "docker-compose.yml"):
        text = (ROOT / path).read_text(encoding="utf-8")
        named += [
            (path, name)
            for name in re.findall(r'(?:see|under) "([^"]+)"|"([^"]+)"[\s#]*in README', text)
        ]
    assert named
    for path, groups in named:
        name = next(group for group in groups if group)
        assert name in headings, f'{path} names a README section "{name}" that does not exist'
