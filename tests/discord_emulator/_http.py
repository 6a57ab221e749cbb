"""The REST side of the server: request recording, routing, fault injection, attachments.

Every request is recorded (`RecordedRequest`), then either answered by a fault injected with
`fail_next` or routed to its handler; handlers return (status, body) or raise `_ApiError`,
which becomes Discord's JSON error body.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from discord_emulator._state import EmulatorState, RecordedRequest, _ApiError


def _json_response(payload: Any, status: int, headers: dict[str, str]) -> web.Response:
    # discord.py parses a body as JSON only if Content-Type is exactly "application/json"
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={**headers, "Content-Type": "application/json"},
    )


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float | None
    body: Any


class HttpMixin(EmulatorState):
    """The REST entry point: records each request, injects faults, routes to the handlers."""

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` instead of handling them.

        429s carry the body and headers discord.py retries on (`retry_after`, default 0.1 s;
        a `Via` header, without which discord.py assumes a Cloudflare ban). Note discord.py
        sleeps 1 s, 3 s, ... before retrying a 500/502/504.
        """
        self._faults.append(
            _Fault(method.upper(), re.compile(path_regex), status, times, retry_after, body)
        )

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.fullmatch(path):
                fault.remaining -= 1
                return fault
        return None

    def _fault_response(self, fault: _Fault) -> tuple[int, Any, dict[str, str]]:
        headers: dict[str, str] = {}
        if fault.status == 429:
            retry_after = 0.1 if fault.retry_after is None else fault.retry_after
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers = {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "user",
                "X-RateLimit-Global": "false",
                "Via": "1.1 google",
            }
            return 429, body, headers
        body = fault.body or {"message": f"{fault.status}: Emulated failure", "code": 0}
        return fault.status, body, headers

    async def _handle_attachment(self, request: web.Request) -> web.StreamResponse:
        """The bytes of an uploaded attachment, standing in for cdn.discordapp.com."""
        data = self._attachment_data.get(int(request.match_info["attachment"]))
        if data is None:
            return web.Response(status=404, text="Not Found")
        content_type = mimetypes.guess_type(request.match_info["filename"])[0]
        return web.Response(body=data, content_type=content_type or "application/octet-stream")

    async def _handle_unrouted(self, request: web.Request) -> web.StreamResponse:
        return _json_response({"message": "404: Not Found", "code": 0}, 404, {})

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        if request.content_type == "multipart/form-data":
            payload: Any = None
            files: list[dict[str, Any]] = []
            reader = await request.multipart()
            async for part in reader:
                if not hasattr(part, "read"):
                    continue
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":
                    payload = json.loads(data.decode())
                else:
                    files.append(
                        {
                            "field": part.name,
                            "filename": part.filename,  # type: ignore[union-attr]
                            "content_type": part.headers.get("Content-Type"),
                            "size": len(data),
                            "data": bytes(data),
                        }
                    )
            return payload, files
        if not request.can_read_body:
            return None, []
        text = await request.text()
        if not text:
            return None, []
        try:
            return json.loads(text), []
        except ValueError:
            return text, []

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        body, files = await self._read_body(request)
        rec = RecordedRequest(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            time=time.monotonic(),
            headers=dict(request.headers),
            files=files,
        )
        self.requests.append(rec)
        headers: dict[str, str] = {}
        fault = self._take_fault(method, path)
        if fault is not None:
            rec.injected_status = fault.status
            status, payload, headers = self._fault_response(fault)
        else:
            try:
                status, payload = self._route(rec, request.headers.get("Authorization"))
            except _ApiError as err:
                status, payload = err.status, err.body
        rec.status, rec.response = status, payload
        self._notify()
        if payload is None or status == 204:
            return web.Response(status=204, headers=headers)
        return _json_response(payload, status, headers)

    def _route(self, rec: RecordedRequest, authorization: str | None) -> tuple[int, Any]:
        for method, pattern, needs_auth, handler in self._routes():
            if method != rec.method:
                continue
            m = pattern.fullmatch(rec.path)
            if m is None:
                continue
            if needs_auth and authorization != f"Bot {self.token}":
                raise _ApiError(401, 0, "401: Unauthorized")
            return handler(rec, *m.groups())
        self.unknown_requests.append(rec)
        raise _ApiError(404, 0, "Unknown route")

    def _routes(self) -> list[tuple[str, re.Pattern[str], bool, Callable[..., tuple[int, Any]]]]:
        table: list[tuple[str, str, bool, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/users/@me", True, self._get_me),
            ("GET", r"/oauth2/applications/@me", True, self._get_app_info),
            ("GET", r"/applications/@me", True, self._get_app_info),
            ("GET", r"/gateway/bot", True, self._get_gateway_bot),
            ("GET", r"/gateway", False, self._get_gateway_bot),
            ("POST", r"/users/@me/channels", True, self._create_dm),
            ("GET", r"/users/(\d+)", True, self._get_user),
            # interactions and their webhooks authenticate with the token in the path
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", False, self._interaction_callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", False, self._webhook_execute),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_get),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_edit),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_delete),
            ("POST", r"/channels/(\d+)/messages", True, self._create_message),
            ("GET", r"/channels/(\d+)/messages", True, self._list_messages),
            ("GET", r"/channels/(\d+)/messages/pins", True, self._list_pins_new),
            ("PUT", r"/channels/(\d+)/messages/pins/(\d+)", True, self._pin),
            ("DELETE", r"/channels/(\d+)/messages/pins/(\d+)", True, self._unpin),
            ("GET", r"/channels/(\d+)/pins", True, self._list_pins_legacy),
            ("PUT", r"/channels/(\d+)/pins/(\d+)", True, self._pin),
            ("DELETE", r"/channels/(\d+)/pins/(\d+)", True, self._unpin),
            ("GET", r"/channels/(\d+)/messages/(\d+)", True, self._get_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", True, self._edit_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", True, self._delete_message),
            (
                "PUT",
                r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me",
                True,
                self._add_reaction,
            ),
            (
                "DELETE",
                r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/([^/]+)",
                True,
                self._remove_reaction,
            ),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", True, self._thread_from_message),
            ("POST", r"/channels/(\d+)/threads", True, self._thread_without_message),
            ("PUT", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._join_thread),
            ("DELETE", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._leave_thread),
            ("GET", r"/channels/(\d+)/threads/archived/public", True, self._archived_public),
            ("GET", r"/channels/(\d+)/threads/archived/private", True, self._archived_private),
            (
                "GET",
                r"/channels/(\d+)/users/@me/threads/archived/private",
                True,
                self._archived_joined,
            ),
            ("POST", r"/channels/(\d+)/typing", True, self._typing),
            ("GET", r"/channels/(\d+)", True, self._get_channel),
            ("PATCH", r"/channels/(\d+)", True, self._edit_channel),
            ("DELETE", r"/channels/(\d+)", True, self._delete_channel),
            ("GET", r"/guilds/(\d+)/channels", True, self._guild_channels),
            ("GET", r"/guilds/(\d+)/members/(\d+)", True, self._guild_member),
            ("GET", r"/guilds/(\d+)/threads/active", True, self._active_threads),
            ("GET", r"/applications/(\d+)/commands", True, self._get_global_commands),
            ("PUT", r"/applications/(\d+)/commands", True, self._put_global_commands),
            ("POST", r"/applications/(\d+)/commands", True, self._post_global_command),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", True, self._get_guild_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", True, self._put_guild_commands),
        ]
        return [(m, re.compile(p), a, h) for m, p, a, h in table]
