"""Build the careerbot image with BuildKit, reaching the package index the way this host's pip does.

    python .ci/container_build.py --tag careerbot:ci [--iidfile FILE] [-- DOCKER BUILD OPTIONS]

The host's effective pip configuration (`pip config list`: /etc/pip.conf, /etc/xdg/pip, the user's
file, PIP_* variables) goes into the build as the BuildKit secret `pip.conf`, never as a build
argument, so no index URL or credential lands in a layer or in the image's history; the CA bundle
it names goes in as the secret `pip-cert`. Local sources (file:// indexes, find-links directories,
constraint files) do not exist inside the build, so they are served read-only on a loopback port
for the duration of the build, which runs with --network host, and the configuration names them by
that URL. Remote indexes and every other option are passed on as they are.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import http.server
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

ROOT = Path(__file__).resolve().parents[1]

# pip options holding whitespace-separated locations (URLs or local paths).
LOCATION_LISTS = ("index-url", "extra-index-url", "find-links")
# pip options naming requirement files, which pip also reads from URLs.
REQUIREMENT_FILES = ("constraint", "requirement")
# pip options naming a file pip opens itself: each becomes a secret mounted at /run/secrets/<id>.
FILE_SECRETS = {"cert": "pip-cert"}
# Options about this host's own file system or this invocation, meaningless inside the build.
HOST_ONLY = (
    "cache-dir",
    "config-file",
    "log",
    "log-file",
    "local-log",
    "prefix",
    "python",
    "root",
    "src",
    "target",
    "user",
)
# pip's order of precedence for `pip install`: later sections override earlier ones.
SECTIONS = ("global", "install", ":env:")


def effective_pip_options(python: str = sys.executable) -> dict[str, str]:
    """What `pip install` would use on this host: `pip config list` merged by precedence."""
    listed = subprocess.run(
        [python, "-m", "pip", "config", "list"], check=True, capture_output=True, text=True
    ).stdout
    by_section: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}
    for line in listed.splitlines():
        name, sep, value = line.partition("=")
        section, dot, key = name.rpartition(".")
        if sep and dot and section in by_section:
            by_section[section][key] = ast.literal_eval(value)  # printed with repr()
    merged: dict[str, str] = {}
    for section in SECTIONS:
        merged.update(by_section[section])
    return merged


def local_path(location: str) -> Path | None:
    """The local path a pip location names (a file: URL or a plain path), None for a remote URL."""
    if "://" not in location:
        return Path(location).expanduser().absolute()
    parts = urlsplit(location)
    return Path(url2pathname(unquote(parts.path))) if parts.scheme == "file" else None


@dataclass
class BuildPipConfig:
    """The build's pip.conf, the secrets it names and the local paths it needs served."""

    options: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, Path] = field(default_factory=dict)  # secret id -> host file
    served: list[Path] = field(default_factory=list)  # roots the loopback server may read
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        # a value of several lines continues on indented lines, as in any pip.conf
        lines = [f"{k} = {v}".replace("\n", "\n    ") for k, v in sorted(self.options.items())]
        return "\n".join(["[global]", *lines]) + "\n"


def translate(options: dict[str, str], served_url: str) -> BuildPipConfig:
    """The host's pip options as the build must see them; `served_url` is the loopback server's
    base URL, local paths are appended to it."""
    config = BuildPipConfig()

    def serve(path: Path, *roots: Path) -> str:
        config.served.extend(roots or (path,))
        return served_url + quote(str(path)) + ("/" if path.is_dir() else "")

    for key, value in options.items():
        if key in HOST_ONLY:
            continue
        if key in LOCATION_LISTS or key in REQUIREMENT_FILES:
            locations = []
            for location in value.split():
                path = local_path(location)
                if path is None:
                    locations.append(location)
                elif not path.exists():
                    config.notes.append(f"{key}: {location} does not exist here; left out")
                elif key in ("index-url", "extra-index-url"):
                    # A local "simple" index usually links to files beside it (../../files/…).
                    locations.append(serve(path, path, path.parent))
                else:
                    locations.append(serve(path))
            if locations:
                config.options[key] = " ".join(locations)
        elif key in FILE_SECRETS:
            if not Path(value).is_file():
                config.notes.append(f"{key}: {value} does not exist here; left out")
                continue
            secret = FILE_SECRETS[key]
            config.secrets[secret] = Path(value)
            config.options[key] = f"/run/secrets/{secret}"
        else:
            config.options[key] = value
    return config


class LoopbackFiles:
    """Files under allowed roots, served read-only (GET/HEAD) on 127.0.0.1 behind a random path
    prefix, so that other local users cannot guess the URLs; everything else is 404."""

    def __init__(self) -> None:
        self.roots: tuple[Path, ...] = ()
        prefix = "/" + secrets.token_urlsafe(16)
        files = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                path = unquote(urlsplit(path).path)
                if not path.startswith(prefix + "/"):
                    return "/nonexistent"
                # normpath: "../" in a URL must not climb out of the roots
                resolved = Path(os.path.normpath(path[len(prefix) :]))
                if not any(resolved == r or r in resolved.parents for r in files.roots):
                    return "/nonexistent"
                return str(resolved)

            def log_message(self, format: str, *args: object) -> None:
                pass  # pip's own messages in the build log are enough

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{prefix}"

    def allow(self, roots: list[Path]) -> None:
        self.roots = tuple(root.resolve() for root in roots)

    @contextlib.contextmanager
    def serving(self) -> Iterator[LoopbackFiles]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def buildkit_cli() -> str:
    """A docker CLI that builds with BuildKit: the one on PATH (with buildx, or a 20.10-era
    CLI with BuildKit built in), else Debian docker.io's own CLI."""
    environment = {**os.environ, "DOCKER_BUILDKIT": "1"}
    for cli in dict.fromkeys(filter(None, (shutil.which("docker"), "/usr/bin/docker"))):
        probe = subprocess.run([cli, "build", "--help"], env=environment, capture_output=True)
        if probe.returncode == 0:
            return cli
    raise SystemExit(
        "no docker CLI here builds with BuildKit: install the buildx plugin, or Debian's "
        "docker.io package (its CLI has BuildKit built in)"
    )


def proxy_arguments() -> list[str]:
    """The host's proxy variables for the build (predefined build args: not kept in the image);
    loopback added to NO_PROXY so the served sources are not asked through the proxy."""
    names = [
        case(n) for n in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY") for case in (str, str.lower)
    ]
    if not any(os.environ.get(name) for name in names):
        return []
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    no_proxy = ",".join(filter(None, [no_proxy, "127.0.0.1"]))
    values = {name: os.environ[name] for name in names if os.environ.get(name)}
    values.update(NO_PROXY=no_proxy, no_proxy=no_proxy)
    return [arg for name, value in values.items() for arg in ("--build-arg", f"{name}={value}")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tag", required=True)
    parser.add_argument("--iidfile", type=Path, help="write the image id here")
    parser.add_argument("docker_options", nargs="*", help="after --: more `docker build` options")
    arguments = parser.parse_args()

    files = LoopbackFiles()
    config = translate(effective_pip_options(), files.url)
    files.allow(config.served)
    with files.serving(), tempfile.TemporaryDirectory() as scratch:
        for note in config.notes:
            print(f"pip configuration: {note}", file=sys.stderr)
        pip_conf = Path(scratch) / "pip.conf"
        pip_conf.write_text(config.text(), encoding="utf-8")
        command = [buildkit_cli(), "build", "--network", "host", "--tag", arguments.tag]
        command += ["--secret", f"id=pip.conf,src={pip_conf}"]
        for secret, path in config.secrets.items():
            command += ["--secret", f"id={secret},src={path}"]
        if arguments.iidfile:
            command += ["--iidfile", str(arguments.iidfile)]
        command += proxy_arguments() + arguments.docker_options + [str(ROOT)]
        print("+ " + " ".join(command), file=sys.stderr, flush=True)
        started = time.monotonic()
        result = subprocess.run(command, env={**os.environ, "DOCKER_BUILDKIT": "1"})
        print(f"build: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
