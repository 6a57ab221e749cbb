"""Structured logs with a request id per question, Prometheus metrics, and /healthz.

Three pieces, none of which imports the bot (`bot/discord/app.py` and `bot/discord/exts/ask/_cog.py` wire them in):

* Logging. `configure_logging(format, level)` installs one handler on the root logger, in place
  of `discord.utils.setup_logging`. Text mode is discord.py's layout plus `[req=…]` when a
  request id is set; JSON mode writes one object per line with `time` (ISO 8601, UTC), `level`,
  `logger`, `message`, `request_id` (when set), `exception`/`stack` (when present) and every
  `extra=` field. The JSON formatter is the ~30 lines of `JsonFormatter` below rather than
  python-json-logger: the layout is fixed, and those few lines do it without a dependency.

  Request ids live in the context variable `request_id`. Set one per question with
  `request_scope()` at the top of the handler; `RequestIdFilter` (on the installed handler)
  stamps it on every record. discord.py runs each event and each app command in a task of its
  own, so an id set in a handler stays with that question, and tasks created while it is set
  (`asyncio.ensure_future`, `create_task`) inherit it. `asyncio.to_thread` copies the context
  too, but `loop.run_in_executor` does not: wrap the callable with `with_current_context`
  (see `SearchWorker._run`) if logs written on the search thread should carry the id.

* Metrics. `Metrics` owns its own `CollectorRegistry` (not the process-global one, so tests and
  several bots in one process do not collide), with counters and a latency histogram updated by
  the bot, and gauges read from a `status` callable at scrape time. It uses prometheus-client,
  the reference implementation of the Prometheus exposition format (escaping, histogram
  buckets, `_created` samples, content type): not worth re-implementing.

* `HealthServer`: a small aiohttp.web server (aiohttp comes with discord.py) serving
  `GET /healthz` (JSON, 200 when the bot can answer, 503 otherwise: a readiness check) and
  `GET /metrics` (Prometheus text). Loopback by default (`ops.health_host`).

The `status` callable returns a `HealthStatus`; it runs on the event loop for every request and
scrape, so it must only read attributes (`CareerBot.health_status` in `bot/discord/app.py` is the one
the bot uses).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Request ids and logging


# ---------------------------------------------------------------------------------------------
# Status and metrics


@dataclass(frozen=True)
class HealthStatus:
    """What /healthz reports and the scrape-time gauges read (see the module docstring)."""

    gateway_connected: bool
    index_loaded: bool
    generation: str | None
    passages: int | None
    queue_depth: int
    shutting_down: bool

    @property
    def healthy(self) -> bool:
        """Able to answer: connected, index loaded, not stopping."""
        return self.gateway_connected and self.index_loaded and not self.shutting_down


StatusProvider = Callable[[], HealthStatus]

SOURCES = ("slash", "mention", "forum")
OUTCOMES = ("answered", "unanswered", "refused", "busy", "error")
# Outcomes that ran a search: only these feed the latency histogram, so instant refusals
# (cooldown, too long, busy) do not make answering look faster than it is.
TIMED_OUTCOMES = frozenset({"answered", "unanswered"})
# A search takes 15-35 ms; with queueing, deferral and Discord's REST an answer takes up to
# seconds. Buckets from 10 ms to 5 s (+Inf above) cover both, about two per decade and a half.
ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _StatusCollector:
    """Gauges computed from the status provider at each scrape."""

    def __init__(self, metrics: Metrics):
        self._metrics = metrics

    @staticmethod
    def _families() -> dict[str, GaugeMetricFamily]:
        return {
            "queue": GaugeMetricFamily(
                "careerbot_queue_depth", "Questions waiting for or in the search thread"
            ),
            "generation": GaugeMetricFamily(
                "careerbot_index_generation_info",
                "The index generation served (value 1)",
                labels=["generation"],
            ),
            "passages": GaugeMetricFamily(
                "careerbot_index_passages", "Passages in the served index"
            ),
            "connected": GaugeMetricFamily(
                "careerbot_gateway_connected", "1 when connected to the Discord gateway"
            ),
            "loaded": GaugeMetricFamily("careerbot_index_loaded", "1 when the index is loaded"),
        }

    def describe(self) -> Iterable[Metric]:
        return self._families().values()

    def collect(self) -> Iterable[Metric]:
        provider = self._metrics.status
        if provider is None:
            return []
        try:
            status = provider()
        except Exception:
            log.warning("the health status failed: scrape without status gauges", exc_info=True)
            return []
        families = self._families()
        families["queue"].add_metric([], status.queue_depth)
        if status.generation is not None:
            families["generation"].add_metric([status.generation], 1)
        if status.passages is not None:
            families["passages"].add_metric([], status.passages)
        families["connected"].add_metric([], int(status.gateway_connected))
        families["loaded"].add_metric([], int(status.index_loaded))
        return families.values()


class Metrics:
    """The bot's Prometheus metrics, in a registry of their own.

    `status` is read at each scrape for the gauges (queue depth, index generation and size,
    gateway, index loaded); without it only the counters and the histogram are exposed. It may
    be given later by assigning `metrics.status`.
    """

    def __init__(self, status: StatusProvider | None = None):
        self.status = status
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "careerbot_questions",
            "Questions received, by source and outcome",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "careerbot_answer_seconds",
            "Seconds from receiving a question to its answer being sent (answered/unanswered)",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.feedback = Counter(
            "careerbot_feedback", "Feedback votes on answers", ["vote"], registry=self.registry
        )
        self.pins_served = Counter(
            "careerbot_pins_served",
            "Answers that served a moderator-pinned answer",
            registry=self.registry,
        )
        self.registry.register(_StatusCollector(self))
        # Every series exists from the start at 0, so rate() and absent-series alerts work.
        for source in SOURCES:
            for outcome in OUTCOMES:
                self.questions.labels(source=source, outcome=outcome)
        for vote in ("up", "down"):
            self.feedback.labels(vote=vote)

    def observe_question(self, source: str, outcome: str, seconds: float | None = None) -> None:
        """Count one question; `seconds` (receipt to answer sent) feeds the latency histogram
        for the outcomes that ran a search ("answered", "unanswered") and is ignored otherwise.

        ValueError for a source or outcome outside `SOURCES`/`OUTCOMES` (bounded labels).
        """
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        self.questions.labels(source=source, outcome=outcome).inc()
        if seconds is not None and outcome in TIMED_OUTCOMES:
            self.answer_seconds.observe(seconds)

    def record_vote(self, up: bool) -> None:
        """Count one 👍 (`up`) or 👎."""
        self.feedback.labels(vote="up" if up else "down").inc()

    def record_pin_served(self) -> None:
        """Count one answer that was a pinned answer."""
        self.pins_served.inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type, for a /metrics response."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


# ---------------------------------------------------------------------------------------------
# The HTTP endpoint

HEALTH_PORT_SETTING = "CAREERBOT_OPS__HEALTH_PORT"


class HealthServerError(RuntimeError):
    """The endpoint could not be started (the message names the address and the setting)."""


class HealthServer:
    """`GET /healthz` and `GET /metrics` on `host:port` (port 0: any free port, see `port`).

    Handlers only call `status()` and render the metrics: nothing blocks the event loop.
    Requests are not access-logged (a scrape every few seconds would drown the log).
    """

    def __init__(self, host: str, port: int, status: StatusProvider, metrics: Metrics):
        self.host = host
        self._requested_port = port
        self._status = status
        self._metrics = metrics
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The port listened on (the ephemeral one when 0 was asked); after `start`."""
        if self._port is None:
            raise RuntimeError("HealthServer.start() has not completed")
        return self._port

    @property
    def url(self) -> str:
        """http://host:port, for logs and tests."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Listen; HealthServerError naming host:port and the setting if that fails."""
        if self._runner is not None:
            raise RuntimeError("HealthServer is already started")
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise HealthServerError(
                f"cannot listen on {self.host}:{self._requested_port} for /healthz and /metrics "
                f"({exc.strerror or exc}); set {HEALTH_PORT_SETTING} to a free port, "
                "or to 0 to disable the endpoint"
            ) from exc
        self._runner = runner
        self._port = runner.addresses[0][1]
        log.info("health and metrics endpoint on %s (/healthz, /metrics)", self.url)

    async def stop(self) -> None:
        """Stop listening and free the port (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        try:
            status = self._status()
        except Exception:
            log.exception("the health status failed")
            return web.json_response({"status": "error"}, status=503, headers=_NO_STORE)
        body = {"status": "ok" if status.healthy else "unavailable", **asdict(status)}
        return web.json_response(body, status=200 if status.healthy else 503, headers=_NO_STORE)

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body, content_type = self._metrics.render()
        # aiohttp refuses a charset inside `content_type=`: pass the header whole.
        return web.Response(body=body, headers={"Content-Type": content_type, **_NO_STORE})


_NO_STORE = {"Cache-Control": "no-store"}
