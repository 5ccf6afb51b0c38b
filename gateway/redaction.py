"""Redaction of log lines: secrets, URL credentials and email addresses taken out.

`Redactor` is the root handler's filter; `redact`, `redact_url` and `hash_email` serve code
that makes a line clean where it is logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
import urllib.parse
from collections.abc import Sequence

CLEAN = "jcgraph_clean"
"""A record attribute: the line was made clean where it was logged (no secret, no email)."""


class ConfiguredSecrets:
    """The secrets `configure_logging` set up, for the request line to be made clean at source."""

    secrets: tuple[str, ...] = ()


# An address as is or percent-encoded (`%40`, as in upstream filter URLs); it may start
# right after an encoded separator (`email%3Aana%40example.com`).
_EMAIL = re.compile(
    r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9._%+-]))"
    r"(?:[A-Za-z0-9._+-]|%2[BbDdEe]|%5[Ff])+(?:@|%40)"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;][^=&\s#]*(?:token|key|secret|passw|pwd|signature|auth|session)[^=&\s#]*=)"
    r"[^&\s#]+",
    re.IGNORECASE,
)


def hash_email(email: str) -> str:
    """A stable stand-in for an email in logs: the same address always gives the same
    `email:<12 hex>`, so lines can be correlated without the address."""
    canonical = urllib.parse.unquote(email).strip().lower()
    return "email:" + hashlib.sha256(canonical.encode()).hexdigest()[:12]


def redact_url(url: str) -> str:
    """`url` without the credentials it may carry: user info and secret-looking query
    parameters (`?token=...`, `?api_key=...`)."""
    return _SECRET_PARAM.sub(r"\g<name>***", _URL_USERINFO.sub(r"\g<scheme>***@", url))


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """`text` with secrets, URL credentials and emails (hashed) taken out."""
    for secret in secrets:
        text = text.replace(secret, "***")
    if not _may_hold_credentials(text):
        return text  # every line is redacted: most have nothing the patterns could match
    text = redact_url(text)
    return _EMAIL.sub(lambda m: hash_email(m.group(0)), text)


def _may_hold_credentials(text: str) -> bool:
    """Whether a pattern below could match: an email or URL user info needs `@` (or `%40`),
    a secret parameter `=` after one of `?&;`."""
    return (
        "@" in text
        or "%40" in text
        or ("=" in text and ("?" in text or "&" in text or ";" in text))
    )


# What every record has (and a formatter sets): anything else came with `extra=`.
RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class Redactor(logging.Filter):
    """A handler filter that rewrites each record before it is formatted: the message
    (arguments merged), the exception text and the stack. On a handler, not a logger: a
    logger's filters do not see records propagated from its children (aiocache, httpx)."""

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, CLEAN, False):
            return True  # made clean where it was logged (`log_request`)
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        extras = vars(record).keys() - RECORD_ATTRIBUTES
        for name in extras:
            value = getattr(record, name)
            if value is None or isinstance(value, bool | int | float):
                continue
            # `extra=` fields: text as is, anything else (a dict, a tuple) as its text, so
            # that no formatter prints an unredacted value.
            text = value if isinstance(value, str) else repr(value)
            setattr(record, name, redact(text, self.secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True
