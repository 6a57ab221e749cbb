"""Waiting for what the client did: requests, gateway ops, dispatches written, READY.

Every recorded request, gateway payload and written dispatch calls `_notify`, which wakes
the waiters so each re-checks its condition; nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from discord_emulator._state import EmulatorState, RecordedRequest

T = TypeVar("T")

RequestMatcher = Callable[[RecordedRequest], bool] | tuple[str, str]


class WaitingMixin(EmulatorState):
    """Waiting for, and finding, what the client sent or was sent."""

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, remaining)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client has IDENTIFYed and READY + GUILD_CREATE were written to it.

        discord.py fires `on_ready` only after `guild_ready_timeout` (2 s by default) with no
        further GUILD_CREATE; pass `guild_ready_timeout=0.1` to the Client and use
        `client.wait_until_ready()` to wait for the client side.
        """
        await self._wait_until(lambda: self._ready_sent > 0, timeout, "READY")

    async def wait_for_request(
        self,
        match: RequestMatcher,
        timeout: float = 5.0,
        *,
        include_failed: bool = False,
    ) -> RecordedRequest:
        """Return the oldest recorded request that matches and no earlier call returned.

        `match` is a predicate or a `(method, path_regex)` tuple (regex fully matched against
        the path without the /api/v10 prefix, e.g. r"/channels/\\d+/messages"). Requests
        recorded before this call count, so there is no race between triggering an action and
        waiting for its request; each request is handed out at most once across calls.
        Attempts answered by `fail_next` are skipped unless `include_failed`.
        """
        if isinstance(match, tuple):
            method, regex = match

            def predicate(r: RecordedRequest) -> bool:
                return r.matches(method, regex)
        else:
            predicate = match

        def check() -> RecordedRequest | None:
            for index, rec in enumerate(self.requests):
                if index in self._consumed or rec.status is None:
                    continue
                if rec.injected_status is not None and not include_failed:
                    continue
                if predicate(rec):
                    self._consumed.add(index)
                    return rec
            return None

        try:
            return await self._wait_until(check, timeout, f"request {match!r}")
        except TimeoutError as exc:
            seen = ", ".join(f"{r.method} {r.path}" for r in self.requests[-15:])
            raise TimeoutError(f"{exc}; last requests: {seen or 'none'}") from None

    def find_requests(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """All recorded requests (failed attempts included) matching method and path regex."""
        return [r for r in self.requests if r.matches(method, path_regex)]

    async def wait_for_gateway_op(
        self, op: int, timeout: float = 5.0, *, count: int = 1
    ) -> dict[str, Any]:
        """Wait until the client has sent `count` payloads with opcode `op`; return the last."""

        def check() -> dict[str, Any] | None:
            seen = [p for p in self.gateway_ops_received if p.get("op") == op]
            return seen[count - 1] if len(seen) >= count else None

        return await self._wait_until(check, timeout, f"gateway op {op} x{count}")

    async def wait_for_dispatch_sent(
        self, event: str, timeout: float = 5.0, *, count: int = 1
    ) -> dict[str, Any]:
        """Wait until `count` dispatches named `event` were written to a socket; return the last."""

        def check() -> dict[str, Any] | None:
            seen = [p for p in self.gateway_events_sent if p.get("t") == event]
            return seen[count - 1] if len(seen) >= count else None

        return await self._wait_until(check, timeout, f"dispatch {event} x{count}")

    def last_message(self, channel: str | int | None = None) -> dict[str, Any] | None:
        """The most recent message the bot created via REST (optionally in one channel)."""
        cid = None if channel is None else self._resolve_channel(channel)
        for msg in reversed(self.messages.values()):
            if cid is None or int(msg["channel_id"]) == cid:
                return msg
        return None
