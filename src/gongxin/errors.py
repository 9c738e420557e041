"""Domain errors, defined once.

Every error carries an HTTP status, a Simplified Chinese message and an English gloss. The web
layer maps them to responses in one place; the CLI prints them; nothing here imports FastAPI.
"""

from __future__ import annotations

from typing import Any


class GongxinError(Exception):
    """Base of every error gongxin raises on purpose."""

    status: int = 400
    code: str = "error"

    def __init__(self, zh: str, en: str, **details: Any) -> None:
        super().__init__(f"{zh} ({en})")
        self.zh = zh
        self.en = en
        self.details = details

    @property
    def message(self) -> str:
        """The message as users see it: Chinese first, English gloss after."""
        return f"{self.zh}（{self.en}）"

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message,
            "zh": self.zh,
            "en": self.en,
            **({"details": self.details} if self.details else {}),
        }


class InvalidInput(GongxinError):
    status = 400
    code = "invalid_input"


class NotFound(GongxinError):
    status = 404
    code = "not_found"


class Conflict(GongxinError):
    status = 409
    code = "conflict"


class Unauthorized(GongxinError):
    status = 401
    code = "unauthorized"


class Forbidden(GongxinError):
    status = 403
    code = "forbidden"


class Busy(GongxinError):
    """The store is busy with other work; the same request may succeed later."""

    status = 503
    code = "busy"
    retry_after = 30  # seconds, as the HTTP Retry-After header says


class RateLimited(Busy):
    """Too many requests, or a quota used up: try again after ``retry_after`` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, zh: str, en: str, retry_after: int, **details: Any) -> None:
        super().__init__(zh, en, retry_after=retry_after, **details)
        self.retry_after = retry_after


class UnknownDataset(NotFound):
    code = "unknown_dataset"

    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(
            f"未知的数据集：{code}；可用的数据集：{'、'.join(known)}",
            f"unknown dataset {code!r}; known datasets: {', '.join(known)}",
            dataset=code,
            known=known,
        )


class WrongDataset(InvalidInput):
    """The file's columns do not belong to the dataset it was submitted as."""

    code = "wrong_dataset"


class TooLarge(GongxinError):
    status = 413
    code = "too_large"


class UnreadableFile(InvalidInput):
    code = "unreadable_file"


class TooManyRequests(GongxinError):
    """Too many attempts from one client in a short time (rate limited)."""

    status = 429
    code = "too_many_requests"
    retry_after = 60
