"""What a crawl found, in numbers: sources by provenance, dead domains, snapshot distances."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import tldextract

from archive import query
from archive.snapshots import parse_when

if TYPE_CHECKING:
    from archive.reader import Archive

#: Buckets of "how long after the event was its source archived", in days (upper bounds).
DISTANCE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("before the event", 0.0),
    ("same day", 1.0),
    ("within a week", 7.0),
    ("within a month", 31.0),
    ("within a year", 366.0),
    ("over a year", float("inf")),
)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    """The registered domain of a host with tldextract's bundled list (the host if none)."""
    return _extractor()(host).top_domain_under_public_suffix or host


@dataclass
class DomainStat:
    """Sources cited on one registered domain and how many of them died."""

    domain: str
    sources: int = 0
    dead: int = 0
    #: Sources lost at the origin but archived from a fallback (moved domain, archive service).
    recovered: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    #: When the crawl's domain-health tracking declared the domain dead (None if it did not).
    dead_since: str | None = None

    @property
    def all_dead(self) -> bool:
        """Whether the domain was declared dead, or nothing cited on it could be archived."""
        return bool(self.dead_since) or (self.sources > 0 and self.dead == self.sources)


@dataclass
class Summary:
    """Counts over a whole archive, for `stats` and the web reader's charts."""

    events: int
    first_date: str | None
    last_date: str | None
    citations: int
    by_provenance: dict[str, int]
    texts_by_status: dict[str, int]
    domains: list[DomainStat]
    distances: dict[str, int]
    distance_median_days: float | None
    warc_files: list[dict[str, Any]]
    records_by_type: dict[str, int]

    @property
    def dead_domains(self) -> list[DomainStat]:
        """Domains where sources died at the origin (lost or recovered), or declared dead."""
        return [d for d in self.domains if d.dead or d.recovered or d.dead_since]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["dead_domains"] = [d.domain for d in self.domains if d.all_dead]
        return data


def _provenance_and_domains(arc: Archive) -> tuple[dict[str, int], list[DomainStat]]:
    """Distinct cited URLs by provenance, and per registered domain of the cited URL."""
    cols = query.columns(arc.db, "sources")
    prov = "coalesce(s.provenance, s.outcome)" if "provenance" in cols else "s.outcome"
    rows = arc.db.execute(
        f"SELECT DISTINCT c.url_key, c.url, coalesce({prov}, 'pending'), s.reason"
        " FROM citations c LEFT JOIN sources s ON s.url_key = c.url_key"
    ).fetchall()
    by_prov: dict[str, int] = {}
    domains: dict[str, DomainStat] = {}
    seen: set[str] = set()
    for key, url, provenance, reason in rows:
        if key in seen:
            continue
        seen.add(key)
        by_prov[provenance] = by_prov.get(provenance, 0) + 1
        name = registered_domain(query.host_of(url)) or "(no host)"
        stat = domains.setdefault(name, DomainStat(name))
        stat.sources += 1
        if provenance == "dead":
            stat.dead += 1
            label = (reason or "unknown").split(":")[0]
            stat.reasons[label] = stat.reasons.get(label, 0) + 1
        elif provenance not in ("origin", "redirect", "pending"):
            stat.recovered += 1
    if "dead_since" in query.columns(arc.db, "domain_health"):
        for name, since in arc.db.execute(
            "SELECT domain, dead_since FROM domain_health WHERE dead_since IS NOT NULL"
        ):
            domains.setdefault(name, DomainStat(name)).dead_since = since
    ranked = sorted(domains.values(), key=lambda d: (-(d.dead + d.recovered), -d.sources, d.domain))
    return dict(sorted(by_prov.items(), key=lambda kv: -kv[1])), ranked


def distance_days(event_date: str | None, snapshot_date: str | None) -> float | None:
    """Days from the start of the event's day to the snapshot (None if either is unknown)."""
    if not event_date or not snapshot_date:
        return None
    try:
        delta = parse_when(snapshot_date) - parse_when(event_date[:10])
    except ValueError:
        return None
    return delta.total_seconds() / 86400


def bucket(days: float) -> str:
    """The DISTANCE_BUCKETS label for a distance in days."""
    if days < 0:
        return DISTANCE_BUCKETS[0][0]
    return next(label for label, upper in DISTANCE_BUCKETS[1:] if days < upper)


def summarize(arc: Archive) -> Summary:
    """Count what the archive holds."""
    db = arc.db
    first, last, count = db.execute("SELECT min(date), max(date), count(*) FROM events").fetchone()
    by_prov, domains = _provenance_and_domains(arc)
    texts = dict(db.execute("SELECT status, count(*) FROM texts GROUP BY status ORDER BY 2 DESC"))
    distances = {label: 0 for label, _ in DISTANCE_BUCKETS}
    days_list = []
    for event in arc.iter_events():
        for source in event.sources:
            if source.provenance == "dead" or not source.response_record_id:
                continue
            days = source.distance_days
            if days is None:
                days = distance_days(event.date, source.snapshot_date)
            if days is not None:
                distances[bucket(days)] += 1
                days_list.append(days)
    records = dict(
        db.execute(
            "SELECT record_type, count(*) FROM captures GROUP BY record_type ORDER BY 2 DESC"
        )
    )
    files = [
        {"name": p.name, "folder": p.parent.name, "bytes": p.stat().st_size}
        for p in arc.warc_files(include_open=True)
    ]
    return Summary(
        events=count,
        first_date=first,
        last_date=last,
        citations=db.execute("SELECT count(*) FROM citations").fetchone()[0],
        by_provenance=by_prov,
        texts_by_status=texts,
        domains=domains,
        distances=distances,
        distance_median_days=round(statistics.median(days_list), 2) if days_list else None,
        warc_files=files,
        records_by_type=records,
    )
