"""Hand memory the crawl no longer needs back to the system before indexing.

``socnews crawl`` indexes what it fetched in the same process, right after
the crawl, so the run's peak memory is whatever the crawl leaves resident
plus what the index step needs.  Freed Python objects go back to Python's
allocator, and large freed blocks to glibc's heap, but neither necessarily
returns the pages to the operating system: without this the crawl's
high-water mark stays resident under the index step.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim():  # noqa: ANN202 - a ctypes function or None
    """glibc's ``malloc_trim``, or None on a C library without it (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect garbage and ask the C allocator to give free pages back to the OS."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def status_kib(field: str) -> int | None:
    """One KiB figure of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def resident_kib() -> int | None:
    """This process's resident set size now, for reports."""
    return status_kib("VmRSS")
