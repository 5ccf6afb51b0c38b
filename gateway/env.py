"""Reading typed values out of environment variables, collecting every problem found.

Unset and blank variables read as their default. A value that does not parse is a problem
naming its variable; the default stands in for it so that reading can go on and every
problem is listed at once (`gateway.settings.Settings.from_env` raises them together).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import TypeVar

from gateway.tenancy import Tenants, TenantsError, read_tenants

Choice = TypeVar("Choice", bound=enum.StrEnum)


class EnvReader:
    """Parses variables, collecting every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def number(self, name: str, default: float, *, minimum: float) -> float:
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):  # nan and inf parse as floats and pass every comparison
            self.problems.append(f"{name} must be a finite number, got {raw!r:.40}")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum:g}, got {raw!r:.40}")
            return default
        return value

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        value = self.number(name, default, minimum=minimum)
        if value != int(value):
            self.problems.append(f"{name} must be a whole number, got {self.env[name]!r:.40}")
            return default
        return int(value)

    def flag(self, name: str, default: bool) -> bool:
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name} must be true or false, got {raw!r:.40}")
        return default

    def choice(self, name: str, default: Choice) -> Choice:
        """One of the values of `default`'s enumeration, read trimmed and in lower case."""
        raw = self.env.get(name)
        if raw is None or raw.strip() == "":
            return default
        kind = type(default)
        try:
            return kind(raw.strip().lower())
        except ValueError:
            self.problems.append(f"{name} must be one of {', '.join(kind)}")
            return default

    def tenants(self, name: str) -> Tenants | None:
        raw = self.env.get(name, "")
        if not raw.strip():
            return None
        try:
            return read_tenants(raw, self.env)
        except TenantsError as exc:
            self.problems.append(str(exc))
            return None

    def tokens(self, name: str, *, keep_empty: bool = False) -> tuple[str, ...]:
        """Comma-separated tokens; unset or blank means none. A value holding only commas
        and spaces is refused: it reads as "auth on" but would turn auth off. Empty entries
        (a stray comma) are dropped, or kept with `keep_empty` for a check to refuse."""
        raw = self.env.get(name, "")
        entries = tuple(t.strip() for t in raw.split(","))
        tokens = tuple(t for t in entries if t)
        if raw.strip() and not tokens:
            self.problems.append(
                f"{name} holds no token (only commas or spaces); list the bearer tokens "
                "callers must send, or unset it to serve without authentication"
            )
        return entries if keep_empty and tokens else tokens
