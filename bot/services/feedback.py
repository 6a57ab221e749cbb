"""Who voted, pseudonymised: votes are stored with a hash of the Discord user id.

The database says how answers were received, not by whom; the hash still lets a second vote of
the same member on the same answer replace the first.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Vote = Literal["up", "down"]


def hash_user_id(user_id: int) -> str:
    """A stable pseudonym of a Discord user id (sha256, 16 hex digits)."""
    return hashlib.sha256(f"careerbot-user:{user_id}".encode()).hexdigest()[:16]
