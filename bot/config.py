"""The one configuration module: a YAML file plus CAREERBOT_* environment variables.

Precedence: explicit arguments > environment > YAML file > defaults. The file is the path given
with `--config`, else $CAREERBOT_CONFIG, else `careerbot.yaml` in the working directory if it
exists. Nested settings use `__` in environment names: CAREERBOT_EMBEDDER__BACKEND=bundled.
The data directory never depends on the working directory: `data/` beside the file, else one
per user (`default_data_dir`).
Secrets (the Discord token, the database URL) come from the environment or a token file, never
from the configuration file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.config_sources import YamlFileSource, resolve_relative_paths, source_of
from corpus.loader import MAX_ARTICLE_BYTES, SHIPPED_CORPUS_DIR
from corpus.schema import Language
from index.ann import VectorIndexConfig
from index.embedders import EmbedderConfig
from index.search_config import RetrieverConfig

DEFAULT_CONFIG_FILE = Path("careerbot.yaml")
CONFIG_ENV = "CAREERBOT_CONFIG"


# The longest question the Discord bot takes (and pins store): a message-sized question; a
# longer one is refused with a message rather than truncated.
DISCORD_QUESTION_CHARS = 500


def default_data_dir() -> Path:
    """Where the index and the database live when neither the environment nor a configuration
    file says: one directory per user, whatever the working directory
    ($XDG_DATA_HOME/careerbot, else ~/.local/share/careerbot)."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "careerbot"


class ConfigError(Exception):
    """The configuration file or environment is invalid; the message says where and why."""


class EvalSettings(BaseModel):
    """Where the labelled question set lives."""

    model_config = ConfigDict(extra="forbid")

    questions_file: Path | None = Field(
        None, description="labelled questions; default: <corpus_dir>/eval/questions.yaml"
    )


class GuildSettings(BaseModel):
    """How the bot behaves in one guild (server)."""

    model_config = ConfigDict(extra="forbid")

    enabled_channels: list[int] = Field(
        default_factory=list, description="channels where mentions are answered; empty = all"
    )
    thread_channels: list[int] = Field(
        default_factory=list, description="channels where each answer opens a new thread"
    )
    cooldown_seconds: float = Field(10.0, ge=0, description="per-user wait between questions")
    language: Language | None = Field(
        None, description="reply language when the question's own language is unclear"
    )
    forum_channels: list[int] = Field(
        default_factory=list,
        description="help forums whose new posts the bot answers (needs the Message Content intent)",
    )
    solved_tag: str = Field(
        "Solved",
        min_length=1,
        max_length=20,
        description="the forum tag 'Mark as solution' applies",
    )
    review_channel: int | None = Field(
        None, description="where solved posts are proposed to moderators as pinned answers"
    )
    moderator_role_ids: list[int] = Field(
        default_factory=list, description="this server's moderator roles (besides curation's)"
    )
    reply_when_unsure: bool = Field(
        False, description="in a forum post with no good answer: say so (true) or stay silent"
    )


class DiscordSettings(BaseModel):
    """The Discord side. The token comes only from the environment or a secret file."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = Field(
        None, description="set CAREERBOT_DISCORD__TOKEN, never the file"
    )
    token_file: Path | None = Field(None, description="a file holding the token (Docker secret)")
    # Discord's own endpoints; tests point both at the loopback emulator.
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    max_question_chars: int = Field(DISCORD_QUESTION_CHARS, ge=10, le=4000)
    max_pending: int = Field(64, ge=1, description="questions waiting before 'busy, try again'")
    # Sharding: one shard per ~1000 guilds is what Discord expects. Explicit shard_count/ids
    # split the shards between several processes (sharing one PostgreSQL database and one
    # read-only index); otherwise the bot shards itself once it is in more than
    # `shard_above_guilds` guilds.
    shard_count: int | None = Field(
        None, ge=1, description="total shards across all processes; None: decide at start-up"
    )
    shard_ids: list[int] | None = Field(
        None, description="the shards this process runs (with shard_count); None: all"
    )
    shard_above_guilds: int = Field(
        1000, ge=0, description="without shard_count: shard automatically above this many guilds"
    )
    default_guild: GuildSettings = GuildSettings()
    guilds: dict[int, GuildSettings] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shards_consistent(self) -> DiscordSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total over all processes)")
            wrong = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if wrong or not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError(
                    f"shard_ids must be distinct numbers from 0 to {self.shard_count - 1}"
                )
        return self

    def guild(self, guild_id: int | None) -> GuildSettings:
        """Settings for a guild (the defaults when it has none of its own)."""
        return self.guilds.get(guild_id or 0, self.default_guild)

    def resolve_token(self) -> str | None:
        """The token from the environment, else from `token_file`; None when neither is set."""
        if self.token is not None:
            return self.token.get_secret_value().strip() or None
        if self.token_file is not None:
            try:
                return self.token_file.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise ConfigError(
                    f"cannot read discord.token_file {self.token_file}: {exc}"
                ) from None
        return None


class ForumSettings(BaseModel):
    """Help forums: how close an earlier post must be to be listed as a similar thread, and how
    much of a forum is read at start-up."""

    model_config = ConfigDict(extra="forbid")

    # Set on the paraphrase and near-miss pairs of tests/bot/test_forum.py with the bundled
    # model: paraphrases reach 0.93+ within a language and 0.872+ across; different questions
    # of the same field up to 0.924 within a language ("要学哪些数学" / "面试怎么准备") and
    # 0.866 across.
    similar_threshold_same_language: float = Field(
        0.925, description="cosine of two posts' questions in the same language"
    )
    similar_threshold_cross_language: float = Field(
        0.87, description="cosine of two posts' questions in different languages"
    )
    max_similar: int = Field(3, ge=0, le=10, description="similar threads listed under an answer")
    backfill_limit: int = Field(
        200, ge=0, description="posts read per forum at start-up (active and archived, newest)"
    )


class CurationSettings(BaseModel):
    """Who may pin and manage answers, besides members with Manage Messages in the channel, and
    how long members' questions are kept."""

    model_config = ConfigDict(extra="forbid")

    moderator_role_ids: list[int] = Field(
        default_factory=list, description="roles whose members are moderators"
    )
    moderator_user_ids: list[int] = Field(
        default_factory=list, description="users who are moderators"
    )
    # Members' questions are personal data: a server may keep them only as long as they help
    # (statistics, the unanswered-question report). None keeps them until a member asks
    # /forget-me.
    question_retention_days: int | None = Field(
        None,
        ge=1,
        description="delete questions, answer records and votes older than this many days; "
        "None: keep them",
    )


class IndexSettings(BaseModel):
    """Where index generations live and what a build must pass before it is published."""

    model_config = ConfigDict(extra="forbid")

    dir: Path | None = Field(
        None, description="index generations and embedding cache; default: <data_dir>/index"
    )
    keep_generations: int = Field(
        3, ge=2, description="generations kept on disk (the served one included) for rollback"
    )
    # The gate compares MRR@10 over all labelled questions. 0.02 is about one question moving
    # from rank 1 to rank 3 out of 55: noise below that, a real regression above.
    max_mrr_drop: float = Field(
        0.02,
        ge=0,
        le=1,
        description="largest MRR@10 drop versus the served index a build may publish",
    )
    # 0.05 is one of the ~45 unanswerable questions plus a little: more is a real change.
    max_unanswerable_rise: float = Field(
        0.05,
        ge=0,
        le=1,
        description="largest rise in the share of unanswerable questions answered a build may publish",
    )
    quality_gate: bool = Field(True, description="evaluate every build before publishing it")
    watch_seconds: float = Field(
        5.0, ge=0, description="how often the running bot checks for a new generation; 0 = never"
    )
    vectors: VectorIndexConfig = Field(
        VectorIndexConfig(),
        description="exact vector search up to a corpus size, approximate (IVF) above it",
    )


class OpsSettings(BaseModel):
    """Logs and the health/metrics endpoint."""

    model_config = ConfigDict(extra="forbid")

    log_format: Literal["text", "json"] = Field("text", description="json: one object per line")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    health_host: str = Field("127.0.0.1", description="address of /healthz and /metrics")
    health_port: int = Field(8087, ge=0, le=65535, description="0 disables the endpoint")
    shutdown_grace_seconds: float = Field(
        20.0, ge=0, description="on SIGTERM, how long questions in flight may take to finish"
    )


class Settings(BaseSettings):
    """All careerbot settings."""

    model_config = SettingsConfigDict(
        env_prefix="CAREERBOT_", env_nested_delimiter="__", extra="forbid"
    )

    corpus_dir: Path = Field(SHIPPED_CORPUS_DIR, description="articles/ and resources.yaml")
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="built index and embedding cache; default: data/ beside the configuration "
        "file, else per user ($XDG_DATA_HOME/careerbot or ~/.local/share/careerbot)",
    )
    max_article_bytes: int = Field(
        MAX_ARTICLE_BYTES, ge=1000, description="larger article files are refused by lint and build"
    )
    embedder: EmbedderConfig = EmbedderConfig()
    retrieval: RetrieverConfig = RetrieverConfig()
    eval: EvalSettings = EvalSettings()
    discord: DiscordSettings = DiscordSettings()
    curation: CurationSettings = CurationSettings()
    forum: ForumSettings = ForumSettings()
    index: IndexSettings = IndexSettings()
    ops: OpsSettings = OpsSettings()
    # May hold a password: a secret, never logged; usually set as CAREERBOT_DATABASE_URL.
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy async URL, e.g. postgresql+asyncpg://user:pw@host/db; "
        "default: SQLite in data_dir",
    )

    _yaml_data: ClassVar[dict[str, Any]] = {}  # the file read by `load`, for YamlFileSource

    @property
    def questions_file(self) -> Path:
        """The labelled question set for `careerbot eval`."""
        return self.eval.questions_file or self.corpus_dir / "eval" / "questions.yaml"

    @property
    def resolved_database_url(self) -> str:
        """`database_url`, else the SQLite file `<data_dir>/careerbot.db`."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{(self.data_dir / 'careerbot.db').resolve()}"

    @property
    def index_root(self) -> Path:
        """Where index generations are written: `index.dir`, else `<data_dir>/index`."""
        return self.index.dir or self.data_dir / "index"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            YamlFileSource(settings_cls, cls._yaml_data),
            file_secret_settings,
        )

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Read the configuration; ConfigError with file, field and reason when it is invalid."""
        path = config_file or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
        explicit = path is not None
        path = path or DEFAULT_CONFIG_FILE
        data: dict[str, Any] = {}
        if path.exists():
            try:
                loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
                raise ConfigError(
                    f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}"
                ) from None
            except OSError as exc:
                raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
            if loaded is not None and not isinstance(loaded, dict):
                raise ConfigError(f"{path}: the configuration must be a YAML mapping")
            data = loaded or {}
            if isinstance(data.get("discord"), dict) and "token" in data["discord"]:
                raise ConfigError(
                    f"{path}: discord.token must not be in the configuration file; set the "
                    "CAREERBOT_DISCORD__TOKEN environment variable or discord.token_file"
                )
            resolve_relative_paths(data, path.resolve().parent)
            data.setdefault("data_dir", str(path.resolve().parent / "data"))  # beside the file
        elif explicit:
            raise ConfigError(f"configuration file not found: {path}")
        cls._yaml_data = data
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']} "
                f"({source_of(error['loc'], path if path.exists() else None)})"
                for error in exc.errors()
            )
            raise ConfigError(f"invalid configuration: {problems}") from None
        finally:
            cls._yaml_data = {}
