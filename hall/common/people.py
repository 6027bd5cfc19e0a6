"""How people are named on pages and notices."""

from __future__ import annotations


def display_name(user) -> str:
    """Chinese order, family name first and no space (王窗口); the login name if none is set."""
    if user is None:
        return ""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()
