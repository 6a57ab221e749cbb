"""Interactions: INTERACTION_CREATE, the one callback, and followups through the webhook.

A second callback gets 400 (40060); the webhook is unknown (404, 10015) until the interaction
is acknowledged; the first followup after a deferred message fills in the "thinking" message.
Buttons, selects and modal submits are interactions too; commands are in `_commands`.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from discord_emulator._components import checked_click
from discord_emulator._constants import (
    _CB_AUTOCOMPLETE,
    _CB_DEFERRED_MESSAGE,
    _CB_DEFERRED_UPDATE,
    _CB_MESSAGE,
    _CB_MODAL,
    _CB_PONG,
    _CB_UPDATE_MESSAGE,
    _FLAG_EPHEMERAL,
    _FLAG_LOADING,
    BOT_PERMISSIONS,
)
from discord_emulator._state import (
    EmulatorState,
    RecordedRequest,
    _ApiError,
    _invalid_form,
    _truthy,
)


class InteractionsMixin(EmulatorState):
    """Interactions: creating them, their callback, followups, components and modals."""

    def _new_interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None,
        channel: str | int,
        guild: bool,
        locale: str,
        message: dict[str, Any] | None = None,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        user = user or self.member_user
        iid = self._snowflake()
        token = f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": self.attachment_size_limit,
        }
        if guild:
            cid = self._resolve_channel(channel)
            # both are the permissions in the channel, overwrites included
            perms = self.channel_permissions(user, cid) if permissions is None else permissions
            payload["app_permissions"] = str(self.channel_permissions(self.bot_user, cid))
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(cid),
                channel=copy.deepcopy(self._channel(cid)),
                member={**self._member_payload(user), "permissions": str(perms)},
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            cid = self.dm_channel_id(user)
            dm = copy.deepcopy(self.channels[cid])
            payload.update(
                channel_id=str(cid),
                channel=dm,
                user=user,
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record = {
            "id": iid,
            "token": token,
            "type": itype,
            "user": user,
            "channel_id": cid,
            "message_id": int(message["id"]) if message is not None else None,
            "payload": payload,
            "response_type": None,
            "response": None,
            "original_message_id": None,
            "followup_ids": [],
        }
        self.interactions[iid] = record
        self._interactions_by_token[token] = record
        self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def click_button(
        self,
        message: dict[str, Any] | int,
        custom_id: str,
        *,
        user: dict[str, Any] | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch a MESSAGE_COMPONENT interaction for `custom_id` on `message`.

        `message` is a message dict (e.g. from `emu.messages`) or its id; the click is on the
        message as it is now (edits included), as a member sees it. For select menus pass
        `component_type` (3 string select) and `values`. A click no client could send (a
        component not on the message, disabled, of another type; values not offered, too
        few or too many) raises ValueError.
        """
        if isinstance(message, int):
            message = self._message_or_404(message)
        message = self._all_messages.get(int(message["id"]), message)
        checked_click(message, custom_id, component_type, values)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self._new_interaction(
            3,
            data,
            user=user,
            channel=int(message["channel_id"]),
            guild=True,
            locale=locale,
            message=message,
        )

    def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        user: dict[str, Any] | None = None,
        *,
        channel: str | int = "general",
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch a MODAL_SUBMIT interaction; `values` maps text-input custom_id to text."""
        rows = [
            {
                "type": 1,
                "id": i * 2 + 1,
                "components": [{"type": 4, "id": i * 2 + 2, "custom_id": k, "value": v}],
            }
            for i, (k, v) in enumerate(values.items())
        ]
        data = {"custom_id": custom_id, "components": rows}
        return self._new_interaction(5, data, user=user, channel=channel, guild=True, locale=locale)

    def interaction_record(self, interaction: dict[str, Any] | int) -> dict[str, Any]:
        """The emulator's bookkeeping for an interaction (payload dict or id).

        Keys: response_type (callback type or None), response (callback body),
        original_message_id, followup_ids, message_id (component message).
        """
        iid = int(interaction["id"]) if isinstance(interaction, dict) else interaction
        return self.interactions[iid]

    def _interaction_or_404(self, interaction_id: str, token: str) -> dict[str, Any]:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or inter["token"] != token:
            raise _ApiError(404, 10062, "Unknown interaction")
        return inter

    def _interaction_message(
        self, inter: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        extra = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": {
                "id": str(inter["id"]),
                "type": inter["type"],
                "user": inter["user"],
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            },
        }
        if inter["type"] == 2:
            extra["type"] = 20  # CHAT_INPUT_COMMAND
            extra["interaction_metadata"]["name"] = inter["payload"]["data"]["name"]
        msg = self._build_message(
            inter["channel_id"], body, author=self.bot_user, files=files, extra=extra
        )
        msg["flags"] = body.get("flags") or 0
        return msg

    def _interaction_callback(self, rec: RecordedRequest, interaction_id: str, token: str):
        inter = self._interaction_or_404(interaction_id, token)
        if inter["response_type"] is not None:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json if isinstance(rec.json, dict) else {}
        cb_type = int(body.get("type", 0))
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        if cb_type == _CB_MESSAGE:
            self._validate_message(data, rec.files)
            msg = self._store_bot_message(self._interaction_message(inter, data, rec.files))
        elif cb_type == _CB_DEFERRED_MESSAGE:
            loading = {"content": "", "flags": (data.get("flags") or 0) | _FLAG_LOADING}
            msg = self._store_bot_message(self._interaction_message(inter, loading, []))
        elif cb_type in (_CB_DEFERRED_UPDATE, _CB_UPDATE_MESSAGE):
            if inter["message_id"] is None:
                raise _invalid_form({"type": ("INTERACTION_TYPE_INVALID", "Not a component")})
            msg = self._all_messages.get(inter["message_id"])
            if msg is None:
                msg = copy.deepcopy(inter["payload"]["message"])
                self._all_messages[int(msg["id"])] = msg
            if cb_type == _CB_UPDATE_MESSAGE:
                self._validate_message({**msg, **data}, rec.files)
                self._apply_edit(msg, data, rec.files)
                self.dispatch("MESSAGE_UPDATE", copy.deepcopy(msg))
        elif cb_type == _CB_AUTOCOMPLETE:
            if len(data.get("choices") or []) > 25:
                raise _invalid_form(
                    {"data.choices": ("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")}
                )
            self.autocomplete_results.append({"interaction_id": inter["id"], **data})
        elif cb_type == _CB_MODAL:
            self.modals.append({"interaction_id": inter["id"], **data})
        elif cb_type != _CB_PONG:
            raise _invalid_form(
                {"type": ("BASE_TYPE_CHOICES", "Value must be one of (1, 4, 5, 6, 7, 8, 9).")}
            )
        inter["response_type"] = cb_type
        inter["response"] = body
        if msg is not None:
            inter["original_message_id"] = int(msg["id"])
        if not _truthy(rec.query.get("with_response")):
            return 204, None
        resource: dict[str, Any] = {"type": cb_type}
        if msg is not None:
            resource["message"] = msg
        return 200, {
            "interaction": {
                "id": str(inter["id"]),
                "type": inter["type"],
                "activity_instance_id": None,
                "response_message_id": msg["id"] if msg is not None else None,
                "response_message_loading": cb_type == _CB_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(msg and msg["flags"] & _FLAG_EPHEMERAL),
            },
            "resource": resource,
        }

    def _webhook_interaction(self, webhook_id: str, token: str) -> dict[str, Any]:
        inter = self._interactions_by_token.get(token)
        if int(webhook_id) != self.application_id or inter is None:
            raise _ApiError(404, 10015, "Unknown Webhook")
        # Discord has no webhook message to act on until the interaction is acknowledged
        if inter["response_type"] is None:
            raise _ApiError(404, 10015, "Unknown Webhook")
        return inter

    def _webhook_target(self, inter: dict[str, Any], message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            mid = inter["original_message_id"]
            if mid is None:
                raise _ApiError(404, 10008, "Unknown Message")
            return self._message_or_404(mid)
        return self._message_or_404(message_id)

    def _webhook_execute(self, rec: RecordedRequest, webhook_id: str, token: str):
        inter = self._webhook_interaction(webhook_id, token)
        body = rec.json if isinstance(rec.json, dict) else {}
        if not (body.get("content") or body.get("embeds") or rec.files or body.get("components")):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(body, rec.files)
        if inter["response_type"] == _CB_DEFERRED_MESSAGE and not inter.get("original_consumed"):
            # the first followup after a deferral fills in the "thinking..." message
            inter["original_consumed"] = True
            msg = self._webhook_target(inter, "@original")
            self._apply_edit(msg, body, rec.files)
            msg["flags"] = (msg["flags"] & _FLAG_EPHEMERAL) | (body.get("flags") or 0)
        else:
            msg = self._store_bot_message(self._interaction_message(inter, body, rec.files))
            inter["followup_ids"].append(int(msg["id"]))
        return (200, msg) if _truthy(rec.query.get("wait")) else (204, None)

    def _webhook_get(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        return 200, self._webhook_target(inter, message_id)

    def _webhook_edit(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        msg = self._webhook_target(inter, message_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        self._validate_message({**msg, **body}, rec.files)
        self._apply_edit(msg, body, rec.files)
        if message_id == "@original":
            inter["original_consumed"] = True
        return 200, msg

    def _webhook_delete(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        msg = self._webhook_target(inter, message_id)
        self._forget_message(int(msg["id"]))
        return 204, None
