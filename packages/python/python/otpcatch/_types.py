"""What the binary's ``--json`` output reads as in Python.

Each type keeps the object it was read from in ``raw``, so a field the binary adds later is
reachable before this package names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

__all__ = ["Message", "MessageSummary", "Extraction"]


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _opt_str(data: Mapping[str, Any], key: str) -> Optional[str]:
    value = data.get(key)
    return None if value is None else str(value)


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    return int(value) if isinstance(value, (int, float)) else 0


def _dict(data: Mapping[str, Any], key: str) -> Dict[str, Any]:
    value = data.get(key)
    return dict(value) if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Message:
    """A message that a wait returned, with the code and link found in it.

    ``from_`` is the sender (``from`` in the JSON). ``code``/``link`` are None when the message has
    none; ``rule`` and ``reason`` say which rule found the code and why; ``details`` has, for
    ``"code"`` and ``"link"``, the value, its score and confidence and the text around it, and
    ``runners_up`` the candidates that lost and why.
    """

    id: str
    time: int
    from_: str
    to: str
    subject: str
    text: str = field(repr=False)
    html: str = field(repr=False)
    code: Optional[str]
    link: Optional[str]
    rule: Optional[str]
    reason: Optional[str]
    details: Dict[str, Any] = field(repr=False)
    runners_up: Dict[str, Any] = field(repr=False)
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Message":
        """A Message from the object ``wait --json`` prints."""
        return cls(
            id=_str(data, "id"),
            time=_int(data, "time"),
            from_=_str(data, "from"),
            to=_str(data, "to"),
            subject=_str(data, "subject"),
            text=_str(data, "text"),
            html=_str(data, "html"),
            code=_opt_str(data, "code"),
            link=_opt_str(data, "link"),
            rule=_opt_str(data, "rule"),
            reason=_opt_str(data, "reason"),
            details=_dict(data, "details"),
            runners_up=_dict(data, "runners_up"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class MessageSummary:
    """One line of an inbox: ``id`` (the API's ``messageId``), arrival ``time`` (Unix seconds) and
    ``time_ms`` (milliseconds), ``expire_time``, sender, recipient and subject."""

    id: str
    time: int
    time_ms: int
    expire_time: int
    from_: str
    to: str
    subject: str
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "MessageSummary":
        """A MessageSummary from one line of ``inbox --json``."""
        return cls(
            id=_str(data, "messageId"),
            time=_int(data, "time"),
            time_ms=_int(data, "timeMs"),
            expire_time=_int(data, "expireTime"),
            from_=_str(data, "from"),
            to=_str(data, "to"),
            subject=_str(data, "subject"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Extraction:
    """What ``extract`` found in an email file: the code and the link (None when not found),
    the rule and reason, per-value ``details``, the ``runners_up`` and the ``misses`` (why each
    rule found nothing)."""

    code: Optional[str]
    link: Optional[str]
    rule: Optional[str]
    reason: Optional[str]
    details: Dict[str, Any] = field(repr=False)
    runners_up: Dict[str, Any] = field(repr=False)
    misses: List[str] = field(repr=False)
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Extraction":
        """An Extraction from the object ``extract --json`` prints."""
        misses = data.get("misses")
        return cls(
            code=_opt_str(data, "code"),
            link=_opt_str(data, "link"),
            rule=_opt_str(data, "rule"),
            reason=_opt_str(data, "reason"),
            details=_dict(data, "details"),
            runners_up=_dict(data, "runners_up"),
            misses=[str(m) for m in misses] if isinstance(misses, list) else [],
            raw=dict(data),
        )
