"""Discord's numbers as the emulator uses them.

Permission bits, channel types and flags, content and tag limits, message flags, gateway
opcodes and interaction callback types, spelled out from Discord's API documentation.
"""

from typing import Literal

DISCORD_EPOCH_MS = 1420070400000
API_VERSION = 10

# Permission bits, spelled out so the emulator does not depend on discord.py internals.
_P_ADMINISTRATOR = 1 << 3
_P_MANAGE_CHANNELS = 1 << 4
_P_ADD_REACTIONS = 1 << 6
_P_VIEW_CHANNEL = 1 << 10
_P_SEND_MESSAGES = 1 << 11
_P_MANAGE_MESSAGES = 1 << 13
_P_EMBED_LINKS = 1 << 14
_P_ATTACH_FILES = 1 << 15
_P_READ_MESSAGE_HISTORY = 1 << 16
_P_USE_EXTERNAL_EMOJIS = 1 << 18
_P_CHANGE_NICKNAME = 1 << 26
_P_USE_APPLICATION_COMMANDS = 1 << 31
_P_MANAGE_THREADS = 1 << 34
_P_CREATE_PUBLIC_THREADS = 1 << 35
_P_CREATE_PRIVATE_THREADS = 1 << 36
_P_SEND_MESSAGES_IN_THREADS = 1 << 38
_P_PIN_MESSAGES = 1 << 51
ALL_PERMISSIONS = (1 << 52) - 1
EVERYONE_PERMISSIONS = (
    _P_ADD_REACTIONS
    | _P_VIEW_CHANNEL
    | _P_SEND_MESSAGES
    | _P_EMBED_LINKS
    | _P_ATTACH_FILES
    | _P_READ_MESSAGE_HISTORY
    | _P_USE_EXTERNAL_EMOJIS
    | _P_CHANGE_NICKNAME
    | _P_USE_APPLICATION_COMMANDS
    | _P_CREATE_PUBLIC_THREADS
    | _P_SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | _P_MANAGE_MESSAGES | _P_MANAGE_THREADS | _P_PIN_MESSAGES

_INTENT_MESSAGE_CONTENT = 1 << 15

# Channel types (Discord API docs, "Channel Types").
_THREAD_TYPES = frozenset({10, 11, 12})
_FORUM_TYPES = frozenset({15, 16})  # forum and media: channels that only hold threads ("posts")
_GUILD_CHANNEL_TYPES = frozenset({0, 2, 4, 5, 13, 15, 16})
_CHANNEL_FLAG_PINNED = 1 << 1  # a post pinned to the top of its forum
_CHANNEL_FLAG_REQUIRE_TAG = 1 << 4  # posts in this forum must carry a tag
_AUTO_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
MAX_APPLIED_TAGS = 5  # "applied_tags ... limited to 5" (Modify Channel, thread params)
MAX_AVAILABLE_TAGS = 20  # "available_tags ... limited to 20"
# Content limits for what members type: 2000 characters, 4000 with Nitro. Apps get 2000.
MEMBER_CONTENT_LIMIT = 2000
NITRO_CONTENT_LIMIT = 4000
# What a member does with a message over their limit (see `member_create_post`).
Overlong = Literal["error", "file", "split", "allow"]

# Message flags the emulator sets itself.
_FLAG_EPHEMERAL = 1 << 6
_FLAG_LOADING = 1 << 7

# Gateway opcodes.
_OP_DISPATCH = 0
_OP_HEARTBEAT = 1
_OP_IDENTIFY = 2
_OP_RESUME = 6
_OP_RECONNECT = 7
_OP_REQUEST_MEMBERS = 8
_OP_INVALID_SESSION = 9
_OP_HELLO = 10
_OP_HEARTBEAT_ACK = 11

# Interaction callback types.
_CB_PONG = 1
_CB_MESSAGE = 4
_CB_DEFERRED_MESSAGE = 5
_CB_DEFERRED_UPDATE = 6
_CB_UPDATE_MESSAGE = 7
_CB_AUTOCOMPLETE = 8
_CB_MODAL = 9
