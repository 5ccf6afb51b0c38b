"""Request rates as the upstream saw them."""

from __future__ import annotations


def busiest_second(times: list[float]) -> int:
    """The most requests in any window of one second."""
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
