"""bench/RESULTS.md: each benchmark owns one `## ` section and rewrites only that."""

from __future__ import annotations

import os
import platform
import re
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def machine() -> str:
    return (
        f"{os.cpu_count()} cores ({platform.machine()}), noisy; Python "
        f"{platform.python_version()}; {date.today().isoformat()}"
    )


def write_section(section: str, body: str) -> None:
    """Replace `section` (up to the next `## `) in RESULTS.md, or append it."""
    body = f"{section}\n\n{body.strip()}\n"
    text = RESULTS.read_text() if RESULTS.exists() else ""
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text).rstrip() + "\n"
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + body
    RESULTS.write_text(text)
