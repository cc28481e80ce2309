"""Live crawl progress on a terminal; nothing at all under cron.

A long crawl of slow government sites needs a sign of life (pages fetched,
queued, errors, rate per host), but cron mails whatever a job prints, so the
display exists only when asked for (stderr is a terminal, or --progress).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from crawler.extract.htmlsafe import strip_controls


class CrawlProgress:
    def __init__(self, enabled: bool, store: Any = None, refresh: float = 0.25) -> None:
        self.enabled = enabled
        self.store = store
        self.refresh = refresh
        self.counts: Counter[str] = Counter()
        self.per_host: Counter[str] = Counter()
        self.last_url = ""
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._live: Live | None = None

    def __enter__(self) -> CrawlProgress:
        if self.enabled:
            self._live = Live(
                Text(""), console=Console(stderr=True), transient=True, auto_refresh=False
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def update(self, event: str, data: dict) -> None:
        self.counts[event] += 1
        if event == "fetched":
            self.per_host[data.get("host", "")] += 1
            self.last_url = data.get("url", "")
        if self._live is None:
            return
        now = time.monotonic()
        if now - self._last_draw < self.refresh:
            return
        self._last_draw = now
        self._live.update(self._render(now), refresh=True)

    def _render(self, now: float) -> Text:
        elapsed = max(1e-6, now - self.started)
        queued = self.store.queued_count() if self.store is not None else 0
        lines = [
            f"fetched {self.counts['fetched']}  queued {queued}  errors {self.counts['error']}"
            f"  {self.counts['fetched'] / elapsed:.1f} pages/s",
        ]
        for host, n in self.per_host.most_common(6):
            lines.append(f"  {host:<40} {n:>6}  {n / elapsed:5.1f}/s")
        lines.append("  " + strip_controls(self.last_url)[:100])
        return Text("\n".join(lines))
