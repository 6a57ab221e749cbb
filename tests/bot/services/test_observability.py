import asyncio
import io
import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from bot.services.logs import (
    configure_logging,
    new_request_id,
    request_id,
    request_scope,
    with_current_context,
)
from bot.services.observability import (
    HEALTH_PORT_SETTING,
    HealthServer,
    HealthServerError,
    HealthStatus,
    Metrics,
)

HEALTHY = HealthStatus(
    gateway_connected=True,
    index_loaded=True,
    generation="20240101-120000",
    passages=321,
    queue_depth=2,
    shutting_down=False,
)


@pytest.fixture
def log_to():
    """configure_logging into a StringIO; the root logger is restored afterwards."""
    root = logging.getLogger()
    level = root.level
    installed = []

    def configure(log_format):
        stream = io.StringIO()
        installed.append(configure_logging(log_format, "info", stream=stream))
        return stream

    yield configure
    for handler in installed:
        root.removeHandler(handler)
    root.setLevel(level)


def _json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_ids_are_short_hex_and_distinct():
    ids = {new_request_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(rid) == 12 and int(rid, 16) >= 0 for rid in ids)


def test_json_lines_carry_the_request_id_inside_its_scope_and_tasks_only(log_to):
    stream = log_to("json")
    log = logging.getLogger("careerbot.test")

    async def scenario():
        log.info("before")
        with request_scope() as rid:
            log.info("inside %s", "scope")
            await asyncio.create_task(_log_in_task(log))
        log.info("after")
        return rid

    rid = asyncio.run(scenario())
    before, inside, in_task, after = _json_lines(stream)
    assert inside["request_id"] == in_task["request_id"] == rid
    assert "request_id" not in before and "request_id" not in after
    assert inside["message"] == "inside scope"
    assert inside["level"] == "INFO" and inside["logger"] == "careerbot.test"
    assert inside["time"].endswith("Z") and "T" in inside["time"]
    assert request_id.get() is None


async def _log_in_task(log: logging.Logger) -> None:
    log.info("in a task")


def test_scopes_nest_and_concurrent_tasks_keep_their_own_ids(log_to):
    stream = log_to("json")
    log = logging.getLogger("careerbot.test")

    async def question(name: str, gate: asyncio.Event) -> str:
        with request_scope() as rid:
            await gate.wait()  # both questions are in flight at once
            log.info(name)
            return rid

    async def scenario():
        gate = asyncio.Event()
        tasks = [asyncio.create_task(question(n, gate)) for n in ("one", "two")]
        await asyncio.sleep(0)
        gate.set()
        return await asyncio.gather(*tasks)

    ids = asyncio.run(scenario())
    by_message = {line["message"]: line["request_id"] for line in _json_lines(stream)}
    assert by_message == {"one": ids[0], "two": ids[1]}
    with request_scope("outer"), request_scope("inner"):
        assert request_id.get() == "inner"
    assert request_id.get() is None


def test_executor_threads_get_the_id_only_through_with_current_context(log_to):
    stream = log_to("json")
    log = logging.getLogger("careerbot.worker")
    executor = ThreadPoolExecutor(max_workers=1)

    async def scenario():
        loop = asyncio.get_running_loop()
        with request_scope("abc123abc123"):
            await loop.run_in_executor(executor, lambda: log.info("plain"))
            await loop.run_in_executor(executor, with_current_context(lambda: log.info("copied")))
            await asyncio.to_thread(log.info, "to_thread")

    asyncio.run(scenario())
    executor.shutdown()
    lines = {line["message"]: line.get("request_id") for line in _json_lines(stream)}
    assert lines == {"plain": None, "copied": "abc123abc123", "to_thread": "abc123abc123"}


def test_json_extra_fields_and_exceptions_are_serialised(log_to):
    stream = log_to("json")
    log = logging.getLogger("careerbot.test")
    with request_scope("feedfacecafe"):
        log.info("answered", extra={"source": "slash", "seconds": 0.25, "hits": [1, 2]})
        try:
            raise ValueError("bad\nthing")
        except ValueError:
            log.exception("it failed: 问题")
    log.warning("odd", extra={"level": "shadowed", "path": object()})
    answered, failed, odd = _json_lines(stream)
    assert answered["source"] == "slash" and answered["seconds"] == 0.25
    assert answered["hits"] == [1, 2]
    assert failed["message"] == "it failed: 问题"
    assert failed["level"] == "ERROR" and failed["request_id"] == "feedfacecafe"
    assert "Traceback" in failed["exception"] and "ValueError: bad\nthing" in failed["exception"]
    assert odd["level"] == "WARNING"  # the fixed keys win over extras
    assert odd["path"].startswith("<object object")


def test_text_mode_shows_the_request_id_when_set(log_to):
    stream = log_to("text")
    log = logging.getLogger("careerbot.test")
    log.info("no question")
    with request_scope("0123456789ab"):
        log.warning("a question")
    first, second = stream.getvalue().splitlines()
    assert first.endswith("careerbot.test: no question") and "req=" not in first
    assert "[WARNING ] careerbot.test [req=0123456789ab]: a question" in second


def test_configuring_again_replaces_the_handler_not_others(log_to):
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        first = log_to("text")
        second = log_to("json")
        logging.getLogger("careerbot.test").info("once")
        assert first.getvalue() == ""
        assert _json_lines(second)[0]["message"] == "once"
        assert other in root.handlers
        assert root.level == logging.INFO
    finally:
        root.removeHandler(other)
    with pytest.raises(ValueError, match="log_format"):
        configure_logging("xml", "INFO")  # type: ignore[arg-type]


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_render_counts_histogram_and_status_gauges():
    status = HEALTHY
    metrics = Metrics(lambda: status)
    metrics.observe_question("slash", "answered", 0.03)
    metrics.observe_question("slash", "answered", 0.2)
    metrics.observe_question("mention", "unanswered", 3.0)
    metrics.observe_question("mention", "busy", 0.001)  # not a search: not timed
    metrics.record_vote(up=True)
    metrics.record_vote(up=False)
    metrics.record_vote(up=False)
    metrics.record_pin_served()
    body, content_type = metrics.render()
    assert content_type == CONTENT_TYPE_LATEST
    samples = _samples(body.decode())

    def question(source, outcome):
        return samples[("careerbot_questions_total", (("outcome", outcome), ("source", source)))]

    assert question("slash", "answered") == 2
    assert question("mention", "unanswered") == 1
    assert question("mention", "busy") == 1
    assert question("slash", "error") == 0  # every series exists from the start
    assert samples[("careerbot_answer_seconds_count", ())] == 3
    assert samples[("careerbot_answer_seconds_sum", ())] == pytest.approx(3.23)
    assert samples[("careerbot_answer_seconds_bucket", (("le", "0.05"),))] == 1
    assert samples[("careerbot_answer_seconds_bucket", (("le", "0.25"),))] == 2
    assert samples[("careerbot_answer_seconds_bucket", (("le", "+Inf"),))] == 3
    assert samples[("careerbot_feedback_total", (("vote", "up"),))] == 1
    assert samples[("careerbot_feedback_total", (("vote", "down"),))] == 2
    assert samples[("careerbot_pins_served_total", ())] == 1
    assert samples[("careerbot_queue_depth", ())] == 2
    assert samples[("careerbot_index_passages", ())] == 321
    assert samples[("careerbot_index_generation_info", (("generation", "20240101-120000"),))] == 1
    assert samples[("careerbot_gateway_connected", ())] == 1
    assert samples[("careerbot_index_loaded", ())] == 1

    # Gauges are read at scrape time.
    status = HealthStatus(False, False, None, None, 0, False)
    samples = _samples(metrics.render()[0].decode())
    assert samples[("careerbot_gateway_connected", ())] == 0
    assert samples[("careerbot_index_loaded", ())] == 0
    assert not any(name == "careerbot_index_generation_info" for name, _ in samples)
    assert not any(name == "careerbot_index_passages" for name, _ in samples)


def test_metrics_refuse_unknown_labels_and_survive_a_failing_status():
    def broken() -> HealthStatus:
        raise RuntimeError("not set up")

    metrics = Metrics(broken)
    with pytest.raises(ValueError, match="source"):
        metrics.observe_question("dm", "answered", 0.1)
    with pytest.raises(ValueError, match="outcome"):
        metrics.observe_question("slash", "maybe", 0.1)
    metrics.observe_question("slash", "refused")
    samples = _samples(metrics.render()[0].decode())
    assert samples[("careerbot_questions_total", (("outcome", "refused"), ("source", "slash")))]
    assert not any(name == "careerbot_queue_depth" for name, _ in samples)
    # Two Metrics in one process do not collide: each counts in its own registry.
    other = _samples(Metrics().render()[0].decode())
    assert other[("careerbot_questions_total", (("outcome", "refused"), ("source", "slash")))] == 0


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, str, str]:
    async with session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


def test_health_server_reports_status_and_metrics():
    current = {"status": HEALTHY}
    metrics = Metrics(lambda: current["status"])
    metrics.observe_question("slash", "answered", 0.05)

    async def scenario():
        server = HealthServer("127.0.0.1", 0, lambda: current["status"], metrics)
        await server.start()
        assert server.port > 0
        async with aiohttp.ClientSession() as session:
            status, content_type, text = await _get(session, f"{server.url}/healthz")
            assert status == 200 and content_type.startswith("application/json")
            assert json.loads(text) == {
                "status": "ok",
                "gateway_connected": True,
                "index_loaded": True,
                "generation": "20240101-120000",
                "passages": 321,
                "queue_depth": 2,
                "shutting_down": False,
            }

            current["status"] = HealthStatus(False, True, "g1", 10, 0, False)
            status, _, text = await _get(session, f"{server.url}/healthz")
            body = json.loads(text)
            assert status == 503 and body["status"] == "unavailable"
            assert body["gateway_connected"] is False and body["generation"] == "g1"

            current["status"] = HealthStatus(True, True, "g1", 10, 0, shutting_down=True)
            status, _, text = await _get(session, f"{server.url}/healthz")
            assert status == 503 and json.loads(text)["shutting_down"] is True

            current["status"] = HealthStatus(True, False, None, None, 0, False)
            status, _, text = await _get(session, f"{server.url}/healthz")
            assert status == 503 and json.loads(text)["index_loaded"] is False

            status, content_type, text = await _get(session, f"{server.url}/metrics")
            assert status == 200 and content_type == CONTENT_TYPE_LATEST
            samples = _samples(text)
            assert samples[("careerbot_answer_seconds_count", ())] == 1
            assert samples[("careerbot_index_loaded", ())] == 0
            assert (
                samples[
                    ("careerbot_questions_total", (("outcome", "answered"), ("source", "slash")))
                ]
                == 1
            )

            for path in ("/", "/health", "/metrics/x"):
                status, _, _ = await _get(session, f"{server.url}{path}")
                assert status == 404
        await server.stop()
        await server.stop()  # idempotent

    asyncio.run(scenario())


def test_a_failing_status_gives_503_not_a_crash():
    def broken() -> HealthStatus:
        raise RuntimeError("not set up")

    async def scenario():
        server = HealthServer("127.0.0.1", 0, broken, Metrics(broken))
        await server.start()
        try:
            async with aiohttp.ClientSession() as session:
                status, _, text = await _get(session, f"{server.url}/healthz")
                assert status == 503 and json.loads(text)["status"] == "error"
                status, _, _ = await _get(session, f"{server.url}/metrics")
                assert status == 200
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_two_servers_coexist_and_stop_frees_the_port():
    async def scenario():
        one = HealthServer("127.0.0.1", 0, lambda: HEALTHY, Metrics(lambda: HEALTHY))
        two = HealthServer("127.0.0.1", 0, lambda: HEALTHY, Metrics(lambda: HEALTHY))
        await one.start()
        await two.start()
        assert one.port != two.port
        port = one.port
        await one.stop()
        # The freed port can be bound again, by a new server asking for it explicitly.
        again = HealthServer("127.0.0.1", port, lambda: HEALTHY, Metrics())
        await again.start()
        assert again.port == port
        async with aiohttp.ClientSession() as session:
            assert (await _get(session, f"{again.url}/healthz"))[0] == 200
            assert (await _get(session, f"{two.url}/healthz"))[0] == 200
        await again.stop()
        await two.stop()

    asyncio.run(scenario())


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def scenario():
            server = HealthServer("127.0.0.1", port, lambda: HEALTHY, Metrics())
            with pytest.raises(HealthServerError) as caught:
                await server.start()
            message = str(caught.value)
            assert f"127.0.0.1:{port}" in message and HEALTH_PORT_SETTING in message
            with pytest.raises(RuntimeError):
                server.port  # noqa: B018

        asyncio.run(scenario())


def test_handlers_never_leave_the_event_loop_thread():
    threads = set()

    def status() -> HealthStatus:
        threads.add(threading.current_thread().name)
        return HEALTHY

    async def scenario():
        server = HealthServer("127.0.0.1", 0, status, Metrics(status))
        await server.start()
        async with aiohttp.ClientSession() as session:
            await _get(session, f"{server.url}/healthz")
            await _get(session, f"{server.url}/metrics")
        await server.stop()

    asyncio.run(scenario())
    assert threads == {threading.current_thread().name}
