"""robots.txt per host, parsed by protego (the parser Scrapy maintains).

Rules the crawler follows: a 4xx robots.txt means everything is allowed (RFC
9309); a 5xx or a network failure means the host is treated as fully
disallowed for now and asked again later, because a server that is down must
not be read as "no rules".
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego


@dataclass(slots=True)
class Robots:
    parser: Protego | None  # None: allow all
    unavailable: bool = False  # 5xx / network error: disallow for now

    @classmethod
    def from_response(cls, status: int, body: bytes) -> Robots:
        if 200 <= status < 300:
            text = body[: 512 * 1024].decode("utf-8", errors="replace")
            return cls(Protego.parse(text))
        if 400 <= status < 500:
            return cls(None)
        return cls(None, unavailable=True)

    @classmethod
    def unreachable(cls) -> Robots:
        return cls(None, unavailable=True)

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.unavailable:
            return False
        return True if self.parser is None else self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []
