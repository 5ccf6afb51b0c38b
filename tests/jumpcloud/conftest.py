"""Client tests never sleep: stamina's testing mode keeps the configured attempts, no waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    # cap=True keeps each call site's own `attempts` (ClientConfig.retry_attempts).
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
