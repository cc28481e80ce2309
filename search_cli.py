"""socnews — crawl, extract and search Bulgarian social-policy news.

The click group and nothing else: options are parsed here, the work is done by
``crawler`` and ``index``, and results are formatted by ``index.render``.
Every command follows the contract in README.md ("CLI contract").
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from crawler.crawl import CrawlConfig

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


class Fail(click.ClickException):
    """A one-line runtime error with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = code


def _err(msg: str) -> None:
    click.echo(f"socnews: error: {msg}", err=True)


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def parse_day(value: str | None, option: str) -> str | None:
    """ISO or Bulgarian day-first input (``27.09.2023``) to an ISO date string."""
    if value is None:
        return None
    v = value.strip().rstrip("г.").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return time.strftime("%Y-%m-%d", time.strptime(v, fmt))
        except ValueError:
            continue
    try:
        return (
            date(int(v), 1, 1).isoformat()
            if v.isdigit() and len(v) == 4
            else _bad_day(value, option)
        )
    except ValueError:
        return _bad_day(value, option)


def _bad_day(value: str, option: str) -> str:
    raise click.BadParameter(
        f"{value!r} is not a date (use YYYY-MM-DD or DD.MM.YYYY)", param_hint=option
    )


class Ctx:
    """What every command needs: the data directory and output habits."""

    def __init__(self, data_dir: Path, debug: bool, progress: bool | None) -> None:
        from crawler.paths import DataDir

        self.data = DataDir(data_dir)
        self.debug = debug
        self.progress = _stderr_is_tty() if progress is None else progress


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SOCNEWS_DATA_DIR",
    help="Where the crawl database, raw archive, index and lock live "
    "[env SOCNEWS_DATA_DIR; default: the platform user-data dir].",
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: only when stderr is a terminal, so cron stays quiet).",
)
@click.version_option(package_name="socnews")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, debug: bool, progress: bool | None) -> None:
    """Crawl, extract and search Bulgarian social-policy news.

    \b
    Try it on the bundled demo sites:
      socnews demo
    Everyday use:
      socnews crawl --seed https://asp.government.bg/bg/novini-i-akcenti-asp/
      socnews search "заседание" --person "Мая Василева" --from 2023-01-01 --facets
    """
    from crawler.paths import default_data_dir

    ctx.obj = Ctx(data_dir or default_data_dir(), debug, progress)


# -- crawl -------------------------------------------------------------------------------


@contextmanager
def _graceful_stop(crawler_stop: Callable[[str], None]):
    """SIGTERM/SIGINT finish the requests in flight, then stop (nothing half-written)."""

    def handler(signum: int, _frame: object) -> None:
        crawler_stop(signal.Signals(signum).name)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextmanager
def _log_to(path: Path | None, interactive: bool):
    """Where crawl messages go: ``--log-file`` gets every fetch and error; a
    terminal gets warnings as ``socnews: warning: …``; cron gets nothing but the
    summary (the error counts are in it, the details in the log file)."""
    import logging

    logger = logging.getLogger("socnews")
    handlers: list[logging.Handler] = []
    if path is not None:
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        handlers.append(file_handler)
        logger.setLevel(logging.INFO)
    if interactive:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("socnews: warning: %(message)s"))
        handlers.append(console)
    if not handlers:
        handlers.append(logging.NullHandler())  # no stray lines from logging's last resort
    for h in handlers:
        logger.addHandler(h)
    try:
        yield
    finally:
        for h in handlers:
            logger.removeHandler(h)
            h.close()


def run_crawl_and_index(
    obj: Ctx,
    config: CrawlConfig,
    no_index: bool,
    wait: float = 0.0,
    log_file: Path | None = None,
) -> tuple[dict, dict | None]:
    """Crawl under the writer lock, then index what changed; returns both summaries."""
    import asyncio

    from crawler.archive import Archive
    from crawler.crawl import Crawler
    from crawler.lock import WriterLock
    from crawler.memory import release_memory
    from crawler.progress import CrawlProgress
    from crawler.store import Store
    from index.writer import update_index

    obj.data.ensure()
    with (
        WriterLock(obj.data.lock, wait=wait),
        _log_to(log_file, obj.progress),
        Store(obj.data.db) as store,
        Archive(obj.data.archive) as archive,
    ):
        with CrawlProgress(enabled=obj.progress, store=store) as progress:
            crawler = Crawler(store, archive, config, progress.update)
            with _graceful_stop(crawler.request_stop):
                summary = asyncio.run(crawler.run())
        index_stats = None
        if not no_index:
            # the crawler's caches and queues are garbage now: free them before
            # the index step so the run's peak is not the sum of both
            del crawler, progress
            release_memory()
            stats = update_index(store, obj.data.index)
            index_stats = {"indexed": stats.indexed, "total": stats.total}
    return summary.to_json(), index_stats


@cli.command()
@click.option(
    "--seed",
    "seeds",
    multiple=True,
    metavar="URL",
    help="Start URL; the crawl stays on its host. Repeatable.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sources file (TOML): start URLs, hosts, URL patterns and rate limits per source. See sources.toml.",
)
@click.option(
    "--source",
    "only_sources",
    multiple=True,
    metavar="NAME",
    help="With --config: crawl only these sources. Repeatable.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Stop after this many requests.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests to one host for --seed (a source's rate_limit, and robots.txt Crawl-delay, win).",
)
@click.option(
    "--since", metavar="DATE", help="Do not walk listings (or feed entries) older than this date."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Stop starting new requests after this long; the rest waits for the next run.",
)
@click.option(
    "--no-index", is_flag=True, help="Fetch and extract only; index later with `socnews index`."
)
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(min=0),
    default=0.0,
    help="If another crawl holds the lock, wait up to this many seconds instead of exiting 3.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append a line per fetch and per error to this file.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_ctx
def crawl(
    obj: Ctx,
    seeds,
    config_file,
    only_sources,
    max_pages,
    delay,
    since,
    time_limit,
    no_index,
    wait,
    log_file,
    fmt,
) -> None:  # noqa: ANN001
    """Fetch news pages politely, store and extract them, and update the index.

    Re-running is incremental: unchanged pages answer 304 and are not
    re-processed, listings and feeds are revisited for new articles, and an
    interrupted run (even kill -9) resumes where it stopped. A second crawl
    while one is running exits 3 (or waits with --wait).

    \b
    Examples:
      socnews crawl --seed https://mlsp.government.bg/novini --max-pages 200
      socnews crawl --config sources.toml --since 2024-01-01 --log-file crawl.log
    """
    from crawler.crawl import CrawlConfig
    from crawler.urls import BadURL, canonicalize

    if not seeds and not config_file:
        raise click.UsageError("give --seed URL or --config sources.toml")
    for s in seeds:
        try:
            canonicalize(s)
        except BadURL as e:
            raise click.BadParameter(f"{s!r}: {e}", param_hint="--seed") from None
    config = CrawlConfig(
        seeds=list(seeds), max_pages=max_pages, delay=delay, time_limit=time_limit,
        since=date.fromisoformat(parse_day(since, "--since")) if since else None,
    )  # fmt: skip
    if config_file:
        _apply_sources(config, config_file, only_sources)
    summary, index_stats = run_crawl_and_index(obj, config, no_index, wait, log_file)
    if fmt == "json":
        click.echo(
            json.dumps({"crawl": summary, "index": index_stats}, ensure_ascii=False, indent=2)
        )
    else:
        _print_crawl_summary(summary, index_stats)
    fetched = sum(s["fetched"] + s["not_modified"] for s in summary["sources"].values())
    errors = sum(s["errors"] for s in summary["sources"].values())
    if errors and not fetched:
        raise Fail(
            "every fetch failed (network down, or every source refusing?); details with --log-file or on a terminal"
        )


def _apply_sources(config: CrawlConfig, path: Path, only: tuple[str, ...]) -> None:
    from crawler.sources import ConfigError, load_sources

    if not path.is_file():
        raise click.BadParameter(f"no such file: {path}", param_hint="--config")
    try:
        settings = load_sources(path)
    except ConfigError as e:
        raise click.BadParameter(str(e), param_hint="--config") from None
    sources = list(settings.sources)
    if only:
        known = {s.name for s in sources}
        unknown = sorted(set(only) - known)
        if unknown:
            raise click.BadParameter(
                f"no source named {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                param_hint="--source",
            )
        sources = [s for s in sources if s.name in only]
    config.sources = sources
    config.user_agent = settings.user_agent
    config.concurrency = settings.concurrency
    config.timeout = settings.timeout
    config.max_bytes = settings.max_bytes
    config.max_depth = settings.max_depth


def _print_crawl_summary(
    summary: dict, index_stats: dict | None, labels: dict[str, str] | None = None
) -> None:
    for host, s in summary["sources"].items():
        label = f"{host} ({labels[host]})" if labels and host in labels else host
        click.echo(
            f"{label}: {s['fetched']} fetched, {s['not_modified']} unchanged, "
            f"{s['documents']} articles ({s['changed']} new or changed), "
            f"{s['missing']} missing (404), {s['errors']} errors, "
            f"{s['skipped_robots']} blocked by robots.txt"
        )
    if summary.get("stopped"):
        click.echo(f"stopped early: {summary['stopped']}")
    if index_stats is not None:
        click.echo(
            f"index: {index_stats['indexed']} documents (re)indexed, {index_stats['total']} in total"
        )


# -- index -------------------------------------------------------------------------------


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from the store.")
@pass_ctx
def index_cmd(obj: Ctx, rebuild: bool) -> None:
    """Bring the search index in line with the stored documents (no network).

    \b
    Example:
      socnews index --rebuild
    """
    from crawler.lock import WriterLock
    from crawler.store import Store
    from index.writer import update_index

    if not obj.data.db.exists():
        raise Fail(f"no crawl database in {obj.data.root}: run `socnews crawl` first")
    with WriterLock(obj.data.lock), Store(obj.data.db) as store:
        stats = update_index(store, obj.data.index, rebuild=rebuild)
    click.echo(
        f"{stats.indexed} documents (re)indexed, {stats.total} in the index"
        + (" (rebuilt)" if stats.rebuilt else "")
    )


# -- search ------------------------------------------------------------------------------


def filter_options(f: Callable) -> Callable:
    """The filters every query-like command shares (search, export, views)."""
    options = [
        click.option(
            "--person", multiple=True, help="Full name or surname, any case (repeatable)."
        ),
        click.option("--institution", multiple=True, help="Name, abbreviation (АСП) or variant."),
        click.option(
            "--project",
            multiple=True,
            help="Project code (any spelling, or a procedure prefix) or name.",
        ),
        click.option("--place", multiple=True, help="Settlement, municipality, oblast or country."),
        click.option("--source", multiple=True, help="Source host, e.g. mlsp.government.bg."),
        click.option(
            "--from",
            "date_from",
            metavar="DATE",
            help="Publication or event date on or after (YYYY-MM-DD or DD.MM.YYYY).",
        ),
        click.option(
            "--to", "date_to", metavar="DATE", help="Publication or event date on or before."
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def filters_from(kw: dict):  # noqa: ANN201 - index.search.Filters, imported lazily
    from index.search import Filters

    return Filters(
        person=list(kw.pop("person")), institution=list(kw.pop("institution")),
        project=list(kw.pop("project")), place=list(kw.pop("place")), source=list(kw.pop("source")),
        date_from=parse_day(kw.pop("date_from"), "--from"), date_to=parse_day(kw.pop("date_to"), "--to"),
    )  # fmt: skip


@cli.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date", "-date"]),
    default="relevance",
    show_default=True,
    help="relevance (BM25F on the query text; newest first when there is only a filter), "
    "date (oldest first) or -date (newest first).",
)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option(
    "--facets",
    is_flag=True,
    help="Counts per person, institution, project, place, year and source.",
)
@click.option(
    "--collapse",
    is_flag=True,
    help="One hit per group of near-duplicates (a release and its rewrites).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default=None,
    help="Default: table on a terminal, json otherwise.",
)
@pass_ctx
def search(
    obj: Ctx,
    query: str,
    sort: str,
    limit: int,
    offset: int,
    facets: bool,
    collapse: bool,
    fmt: str | None,
    **kw,
) -> None:  # noqa: ANN003
    """Full-text search with filters and facets.

    QUERY uses Whoosh syntax (AND by default, "quoted phrases", OR, NOT,
    field:value) and is analysed like the documents, so inflected forms and
    abbreviations match. QUERY may be empty when a filter is given.

    \b
    Examples:
      socnews search "приемна грижа"
      socnews search "заседание" --person "Мая Василева" --from 2023-01-01 --facets
      socnews search --institution АСП --project BG05M9OP001-3.006 --format json
    """
    from index.render import search_csv, search_table, to_json
    from index.search import search as run_search

    filters = filters_from(kw)
    if not query.strip() and filters.is_empty():
        raise click.UsageError("give a QUERY or at least one filter (see socnews search --help)")
    result = run_search(
        obj.data.index, query, filters, limit=limit, offset=offset, sort=sort,
        with_facets=facets, collapse=collapse,
    )  # fmt: skip
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "json":
        click.echo(to_json(result))
    elif fmt == "csv":
        click.echo(search_csv(result), nl=False)
    else:
        click.echo(search_table(result, color=sys.stdout.isatty()), nl=False)


# -- research views ----------------------------------------------------------------------


def _entity_command(kind: str) -> None:
    @cli.command(
        kind,
        help=f"""List {kind} with document counts, first and last dates and who/what appears with them.

    \b
    Example:
      socnews {kind} --query "приемна грижа" --limit 20
    """,
    )
    @click.option("--query", default="", help="Only documents matching this full-text query.")
    @filter_options
    @click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True)
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
    )
    @pass_ctx
    def command(obj: Ctx, query: str, limit: int, fmt: str, **kw) -> None:  # noqa: ANN003
        from index.render import entities_csv, entities_table, to_json
        from index.views import entities

        rows = entities(obj.data.index, kind, query, filters_from(kw), limit=limit)
        if fmt == "json":
            click.echo(to_json({"kind": kind, "entities": rows}))
        elif fmt == "csv":
            click.echo(entities_csv(rows), nl=False)
        else:
            click.echo(entities_table(rows), nl=False)


for _kind in ("people", "institutions", "projects", "places"):
    _entity_command(_kind)


@cli.command()
@click.option("--query", default="", help="Only documents matching this full-text query.")
@filter_options
@click.option(
    "--by", type=click.Choice(["day", "week", "month", "year"]), default="month", show_default=True
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a chart (.svg or .png; needs the 'plot' extra).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_ctx
def timeline(obj: Ctx, query: str, by: str, plot: Path | None, fmt: str, **kw) -> None:  # noqa: ANN003
    """Documents over time, e.g. how often a person or project appears, as a bar chart.

    \b
    Examples:
      socnews timeline --person "Мая Василева" --by month
      socnews timeline --project BG05M9OP001-3.006-0001 --by year --format csv
    """
    from index.render import timeline_csv, timeline_table, to_json
    from index.views import timeline as run_timeline

    filters = filters_from(kw)
    rows = run_timeline(obj.data.index, query, filters, by=by)
    if plot is not None:
        from index.plot import plot_timeline

        plot_timeline(rows, plot, title=_describe(query, filters))
    if fmt == "json":
        click.echo(to_json({"by": by, "timeline": rows}))
    elif fmt == "csv":
        click.echo(timeline_csv(rows), nl=False)
    else:
        click.echo(timeline_table(rows), nl=False)


def _describe(query: str, filters) -> str:  # noqa: ANN001
    parts = [f'"{query}"'] if query else []
    for name in ("person", "institution", "project", "place", "source"):
        parts += [f"{name}: {v}" for v in getattr(filters, name)]
    return ", ".join(parts) or "all documents"


@cli.command()
@click.option("--query", default="", help="Only documents matching this full-text query.")
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_ctx
def meetings(obj: Ctx, query: str, fmt: str, **kw) -> None:  # noqa: ANN003
    """The meeting history: every event day with place, title, who else was there, and the URL.

    Announcements are linked to the later reports of the same event.

    \b
    Examples:
      socnews meetings --person "Мая Василева"
      socnews meetings --institution НСОРБ --from 2024-01-01 --format json
    """
    from index.render import meetings_csv, meetings_table, to_json
    from index.views import meetings as run_meetings

    filters = filters_from(kw)
    if filters.is_empty() and not query:
        raise click.UsageError("give --person, --institution, --project (or another filter)")
    rows = run_meetings(obj.data.index, filters, query)
    if fmt == "json":
        click.echo(to_json({"meetings": rows}))
    elif fmt == "csv":
        click.echo(meetings_csv(rows), nl=False)
    else:
        click.echo(meetings_table(rows), nl=False)


# -- extract -----------------------------------------------------------------------------


@cli.command()
@click.argument("source")
@click.option("--url", help="The page's original address (links, the url field, last-resort date).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True
)
def extract(source: str, url: str | None, fmt: str) -> None:
    """Extract one page (a file, - for stdin, or an http(s) URL) without touching the data dir.

    \b
    Examples:
      socnews extract page.html --url https://asp.government.bg/bg/novini/x/
      curl -s https://example.bg/novini/1 | socnews extract - --url https://example.bg/novini/1
    """
    from crawler.extract import extract_page
    from index.render import record_text, to_json

    headers: dict[str, str] = {}
    if source == "-":
        raw = sys.stdin.buffer.read()
    elif source.startswith(("http://", "https://")):
        raw, headers = _fetch_once(source)
        url = url or source
    else:
        path = Path(source)
        if not path.is_file():
            raise click.BadParameter(f"no such file: {source}", param_hint="SOURCE")
        raw = path.read_bytes()
    record = extract_page(
        raw, url or (Path(source).resolve().as_uri() if source != "-" else ""), headers
    )
    out = record.to_json()
    click.echo(to_json(out) if fmt == "json" else record_text(out), nl=fmt == "json")


def _fetch_once(url: str) -> tuple[bytes, dict[str, str]]:
    import httpx

    from crawler.crawl import USER_AGENT

    try:
        with httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=30, follow_redirects=True, max_redirects=5
        ) as c:
            r = c.get(url)
    except httpx.HTTPError as e:
        raise Fail(f"cannot fetch {url}: {type(e).__name__}") from None
    if r.status_code != 200:
        raise Fail(f"cannot fetch {url}: HTTP {r.status_code}")
    return r.content, dict(r.headers)


# -- show / export -----------------------------------------------------------------------


@cli.command()
@click.argument("id_or_url")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_ctx
def show(obj: Ctx, id_or_url: str, fmt: str) -> None:
    """Show one stored document with all its fields.

    \b
    Example:
      socnews show 3f2a9c1d0b7e4a55 --format json
    """
    from crawler.store import Store
    from crawler.urls import BadURL, canonicalize
    from index.render import record_text, to_json

    if not obj.data.db.exists():
        raise Fail(f"no crawl database in {obj.data.root}: run `socnews crawl` first")
    with Store(obj.data.db) as store:
        doc = store.document(id_or_url)
        if doc is None and id_or_url.startswith(("http://", "https://")):
            try:
                doc = store.document(store.resolve_alias(canonicalize(id_or_url)))
            except BadURL:
                doc = None
    if doc is None:
        raise Fail(f"no stored document {id_or_url!r}")
    rec = {
        "id": doc.id,
        **doc.record.to_json(),
        "source": doc.host,
        "duplicate_of": doc.duplicate_of,
    }
    click.echo(to_json(rec) if fmt == "json" else record_text(rec), nl=fmt == "json")


@cli.command()
@click.option("--query", default="", help="Only documents matching this full-text query.")
@filter_options
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@pass_ctx
def export(obj: Ctx, query: str, fmt: str, **kw) -> None:  # noqa: ANN003
    """Export stored documents (all, or those matching a query and filters), one per line.

    \b
    Examples:
      socnews export --format jsonl > socnews.jsonl
      socnews export --person "Мая Василева" --format csv > vasileva.csv
    """
    import csv

    from crawler.store import Store

    if not obj.data.db.exists():
        raise Fail(f"no crawl database in {obj.data.root}: run `socnews crawl` first")
    filters = filters_from(kw)
    wanted: set[str] | None = None
    if query or not filters.is_empty():
        from index.search import matching_fields

        wanted = {f["id"] for f in matching_fields(obj.data.index, query, filters)}
    out = sys.stdout
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(
            [
                "id",
                "url",
                "source",
                "published",
                "title",
                "event_dates",
                "people",
                "institutions",
                "projects",
                "places",
                "duplicate_of",
                "text",
            ]
        )
    with Store(obj.data.db) as store:
        for doc in store.documents():
            if wanted is not None and doc.id not in wanted:
                continue
            rec = doc.record.to_json()
            if writer is None:
                out.write(
                    json.dumps(
                        {"id": doc.id, **rec, "source": doc.host, "duplicate_of": doc.duplicate_of},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            else:
                writer.writerow([
                    doc.id, rec["url"], doc.host, rec["published"] or "", rec["title"],
                    ";".join(rec["event_dates"]), ";".join(p["name"] for p in rec["people"]),
                    ";".join(i["name"] for i in rec["institutions"]),
                    ";".join(p["code"] or p["name"] or "" for p in rec["projects"]),
                    ";".join(rec["places"]), doc.duplicate_of or "", rec["text"],
                ])  # fmt: skip


# -- analyze -----------------------------------------------------------------------------


@cli.command()
@click.argument("text")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def analyze(text: str, fmt: str) -> None:
    """Show the tokens the index stores for TEXT (the Bulgarian analyzer at work).

    \b
    Example:
      socnews analyze "Агенцията за социално подпомагане (АСП-то)" --format json
    """
    from index.analyzer import analyze as run_analyze
    from index.render import safe, to_json

    tokens = run_analyze(text)
    if fmt == "json":
        click.echo(to_json(tokens))
        return
    for t in tokens:
        click.echo(f"{t['start']:>5}-{t['end']:<5} {safe(t['text']):<30} {safe(t['term'])}")


# -- operations: status / check / reprocess ------------------------------------------------


def _require_store(obj: Ctx) -> None:
    if not obj.data.db.exists():
        raise Fail(f"no crawl database in {obj.data.root}: run `socnews crawl` first")


@cli.command()
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="How many recent runs to show.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_ctx
def status(obj: Ctx, runs: int, fmt: str) -> None:
    """Last runs, per-source health, store/archive/index sizes and the indexing backlog.

    \b
    Example (monitoring):
      socnews status --format json | jq '.sources[] | select(.consecutive_failed_runs > 2)'
    """
    from crawler.health import status as get_status
    from index.render import safe

    _require_store(obj)
    st = get_status(obj.data, runs)
    if fmt == "json":
        click.echo(json.dumps(st, ensure_ascii=False, indent=2))
        return
    click.echo(f"data dir: {st['data_dir']}")
    mb = {k: v / 1e6 for k, v in st["sizes"].items()}
    click.echo(
        f"documents: {st['documents']} ({st['not_indexed']} not yet indexed); store {mb['store_bytes']:.1f} MB, "
        f"archive {mb['archive_bytes']:.1f} MB, index {mb['index_bytes']:.1f} MB"
    )
    click.echo("\nlast runs:")
    for r in st["runs"]:
        click.echo(f"  #{r['id']:<4} {r['started']}  →  {r['ended'] or '-':<19}  {r['result']}")
    click.echo("\nsources:")
    for host, s in st["sources"].items():
        warn = (
            f"  ! {s['consecutive_failed_runs']} failed runs in a row"
            if s["consecutive_failed_runs"]
            else ""
        )
        click.echo(
            f"  {safe(host):<32} {s['pages']:>6} pages {s['documents']:>6} docs {s['errors']:>4} errors "
            f"{s['queued']:>5} queued  last success {s['last_success'] or 'never'}{warn}"
        )


@cli.command()
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    help="Read only about this many archive records (fast check of big archives).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_ctx
def check(obj: Ctx, sample: int | None, fmt: str) -> None:
    """Verify that store, raw archive and index agree, and say how to repair what does not.

    Exits 1 when a problem is found.

    \b
    Example:
      socnews check || socnews index --rebuild
    """
    from crawler.health import check as run_check

    report = run_check(obj.data, sample)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        checked = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.checked.items())
        click.echo(f"checked: {checked or 'nothing'}")
        for p in report.problems:
            click.echo(f"problem: {p}")
        for r in report.repairs:
            click.echo(f"repair:  {r}")
        if not report.problems:
            click.echo("ok: store, archive and index agree")
    if report.problems:
        raise click.exceptions.Exit(EXIT_FAILURE)


@cli.command()
@click.option("--no-index", is_flag=True, help="Do not update the index afterwards.")
@pass_ctx
def reprocess(obj: Ctx, no_index: bool) -> None:
    """Re-extract every archived page with the current extractor (no network), then re-index.

    \b
    Example (after upgrading socnews):
      socnews reprocess
    """
    from crawler.archive import Archive
    from crawler.lock import WriterLock
    from crawler.reprocess import reprocess as run_reprocess
    from crawler.store import Store
    from index.writer import update_index

    _require_store(obj)
    with (
        WriterLock(obj.data.lock),
        Store(obj.data.db) as store,
        Archive(obj.data.archive) as archive,
    ):
        stats = run_reprocess(store, archive)
        click.echo(
            f"{stats.pages} archived pages re-extracted: {stats.articles} articles "
            f"({stats.changed} changed, {stats.removed} no longer articles), {stats.unreadable} unreadable"
        )
        if not no_index:
            ix = update_index(store, obj.data.index)
            click.echo(
                f"index: {ix.indexed} documents (re)indexed, {ix.removed} removed, {ix.total} in total"
            )


# -- eval --------------------------------------------------------------------------------


@cli.command("eval")
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Fixture directory with sites/*/gold.json and queries.json [default: the bundled fixtures].",
)
@click.option("--site", help="Only this fixture site (extraction only).")
@click.option("--misses", is_flag=True, help="List every miss and false positive with its page.")
@click.option("--no-search", is_flag=True, help="Skip the search evaluation.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def eval_cmd(
    fixtures_dir: Path | None, site: str | None, misses: bool, no_search: bool, fmt: str
) -> None:
    """Measure extraction and search quality on the annotated fixture pages.

    Extraction: precision/recall/F1 per field (people, institutions, projects,
    places, event dates), accuracy for title and publication date, content
    recall and boilerplate leakage, per site and overall. Search: recall@10 and
    precision@10 over the annotated queries. Full results (not --site runs)
    are saved as JSON under benchmarks/results/.

    \b
    Example:
      socnews eval --misses
    """
    from benchmarks import eval_extraction, eval_search

    fixtures_dir = fixtures_dir or eval_extraction.FIXTURES_DIR
    try:
        ext = eval_extraction.run_eval(fixtures_dir, site=site)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--site") from None
    if site is None:  # one site's figures must not replace the saved full run
        eval_extraction.save_results(ext)
    srch = None
    if not no_search and site is None:
        srch = eval_search.run_search_eval(fixtures_dir)
        eval_search.save_results(srch)
    if fmt == "json":
        click.echo(json.dumps({"extraction": ext, "search": srch}, ensure_ascii=False, indent=2))
        return
    click.echo(eval_extraction.format_table(ext))
    if misses:
        click.echo(eval_extraction.format_misses(ext["misses"]))
    if srch is not None:
        click.echo("\nsearch\n" + eval_search.format_table(srch, misses))


# -- demo --------------------------------------------------------------------------------

DEMO_QUERIES = (
    ("приемна грижа", {}),
    ("конференция", {"institution": ["АСП"]}),
    ("", {"person": ["Албена Атанасова"]}),
)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the temporary data dir and print where it is.")
@pass_ctx
def demo(obj: Ctx, keep: bool) -> None:
    """Serve the bundled fixture sites on loopback, crawl them, and run example searches.

    Uses a temporary data dir unless --data-dir (or SOCNEWS_DATA_DIR) is given.

    \b
    Example:
      socnews demo
    """
    from fixtures.serve import serve_sites
    from index.render import search_table
    from index.search import Filters
    from index.search import search as run_search

    explicit = click.get_current_context().find_root().params.get("data_dir") or os.environ.get(
        "SOCNEWS_DATA_DIR"
    )
    tmp = None
    if not explicit:
        tmp = tempfile.mkdtemp(prefix="socnews-demo-")
        from crawler.paths import DataDir

        obj.data = DataDir(Path(tmp))
    click.echo(f"data dir: {obj.data.root}")
    with serve_sites() as servers:
        seeds = [srv.base_url + srv.site.meta.get("start", "/") for srv in servers.values()]
        labels = {srv.base_url.split("//", 1)[1]: f"fixture {sid}" for sid, srv in servers.items()}
        for sid, srv in servers.items():
            click.echo(
                f"serving fixture site {sid:<10} ({srv.site.meta.get('host', '')}) at {srv.base_url}"
            )
        click.echo("crawling…")
        # the fixture servers are local: no need to wait out their robots.txt Crawl-delay
        from crawler.crawl import CrawlConfig

        config = CrawlConfig(seeds=seeds, max_pages=2000, delay=0.0, respect_crawl_delay=False)
        summary, index_stats = run_crawl_and_index(obj, config, no_index=False)
    _print_crawl_summary(summary, index_stats, labels)
    for query, flt in DEMO_QUERIES:
        label = " ".join(
            [f'"{query}"' if query else ""] + [f"--{k} {v[0]!r}" for k, v in flt.items()]
        ).strip()
        click.echo(f"\n$ socnews search {label}")
        result = run_search(obj.data.index, query, Filters(**flt), limit=3)
        click.echo(search_table(result, color=False), nl=False)
    if tmp and not keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    elif tmp:
        click.echo(f"\nkept the demo data in {tmp}; try: socnews --data-dir {tmp} search агенция")


# -- entry point -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with the contract's error habits: one line on stderr, exit codes 1/2/3."""
    from crawler.lock import LockHeld

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="socnews", standalone_mode=False)
        return EXIT_OK
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.UsageError as e:
        hint = f" (see `{e.ctx.command_path} --help`)" if e.ctx else ""
        _err(f"{e.format_message()}{hint}")
        return EXIT_USAGE
    except Fail as e:
        _err(e.format_message())
        return e.exit_code
    except click.Abort:
        _err("aborted")
        return 130
    except LockHeld as e:
        _err(str(e))
        return EXIT_LOCKED
    except Exception as e:  # noqa: BLE001 - the contract: one line, no traceback unless --debug
        from index.search import NoIndex, QueryError
        from index.writer import IndexBusy

        if debug:
            raise
        if isinstance(e, QueryError):
            _err(str(e))
            return EXIT_USAGE
        if isinstance(e, IndexBusy):
            _err(str(e))
            return EXIT_LOCKED
        if isinstance(e, NoIndex):
            _err(str(e))
            return EXIT_FAILURE
        from index.plot import PlotUnavailable

        if isinstance(e, PlotUnavailable | ValueError) and "--plot" in str(e):
            _err(str(e))
            return EXIT_USAGE if isinstance(e, ValueError) else EXIT_FAILURE
        if isinstance(e, OSError) and e.errno == 28:
            _err(
                f"disk full while writing: {e.filename or ''}; free space and re-run (nothing is lost)"
            )
            return EXIT_FAILURE
        _err(f"{type(e).__name__}: {e} (re-run with --debug for details)")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
