"""Domain health, the FALLBACK_* settings and the fallback lines of the final summary."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

import crawler.settings as project_settings
from crawler.config import ConfigError
from crawler.domainhealth import DomainHealth, DomainState
from crawler.fallbackconfig import FallbackConfig
from crawler.progress import dead_domains_line, progress_counts, provenance_line


def test_a_domain_dies_at_the_threshold_once() -> None:
    health = DomainHealth(3)
    assert not health.failure("x.com", "DNS lookup failed", "t1")
    assert not health.failure("x.com", "DNS lookup failed", "t2")
    assert not health.is_dead("x.com")
    assert health.failure("x.com", "DNS lookup failed", "t3")  # now dead: log it once
    assert not health.failure("x.com", "DNS lookup failed", "t4")
    assert health.is_dead("x.com") and health.state("x.com").dead_since == "t3"
    assert [s.domain for s in health.dead_domains()] == ["x.com"]


def test_an_answer_resets_the_count() -> None:
    health = DomainHealth(3)
    health.failure("x.com", "timed out", "t1")
    health.failure("x.com", "timed out", "t2")
    health.success("x.com", "t3")
    assert health.state("x.com").failures == 0 and health.is_proven("x.com")
    health.failure("x.com", "timed out", "t4")
    assert not health.is_proven("x.com")  # one at a time again until it answers
    health.failure("x.com", "timed out", "t5")
    assert not health.is_dead("x.com")


def test_only_changed_domains_are_written() -> None:
    health = DomainHealth(2)
    health.success("fine.com", "t0")
    assert health.take_changed() == []  # healthy domains never reach the index
    health.failure("bad.com", "refused", "t1")
    assert [s.domain for s in health.take_changed()] == ["bad.com"]
    assert health.take_changed() == []
    health.success("bad.com", "t2")
    changed = health.take_changed()
    assert changed[0].failures == 0 and changed[0].last_success == "t2"


def test_a_domain_dead_in_an_earlier_run_gets_one_attempt() -> None:
    before = DomainState("x.com", failures=9, reason="DNS lookup failed", dead_since="t0")
    health = DomainHealth(5, [before])
    assert not health.is_dead("x.com")
    assert health.failure("x.com", "DNS lookup failed", "t1")  # one more: dead again
    revived = DomainHealth(5, [DomainState("y.com", failures=9, dead_since="t0")])
    revived.success("y.com", "t1")
    assert revived.state("y.com").dead_since is None
    with pytest.raises(ValueError):
        DomainHealth(0)


def _config(**overrides: object) -> FallbackConfig:
    settings = Settings()
    settings.setmodule(project_settings)
    for key, value in overrides.items():
        settings.set(key, value)
    return FallbackConfig.from_settings(settings)


def test_fallback_settings_defaults() -> None:
    config = _config()
    assert config.enabled and config.services == ("wayback", "commoncrawl")
    assert config.dead_after >= 2 and config.window_days > 0 and config.service_concurrency >= 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"FALLBACK_SERVICES": ["archive_today"]}, r"'archive_today' \(archive.today serves"),
        ({"FALLBACK_SERVICES": "wayback,memento"}, r"'memento' \(unknown service\)"),
        ({"FALLBACK_DEAD_AFTER": 0}, r"FALLBACK_DEAD_AFTER=0: use 1 or more"),
        ({"FALLBACK_SERVICE_CONCURRENCY": 0}, r"FALLBACK_SERVICE_CONCURRENCY=0"),
        ({"FALLBACK_BACKOFF": -1}, r"FALLBACK_BACKOFF=-1.0: use 0 or a positive number"),
    ],
)
def test_bad_fallback_settings_name_the_fix(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(**overrides)


def test_summary_lines() -> None:
    stats = {
        "archive/sources/dead": 2,
        "archive/sources/origin": 20,
        "archive/sources/wayback": 3,
        "archive/sources/moved": 1,
        "archive/sources/redirect": 4,
        "fallback/dead_domains": ["gone.example", "lost.example"],
    }
    assert provenance_line(stats) == (
        "Sources by provenance: origin 20, redirect 4, moved 1, wayback 3, dead 2"
    )
    assert dead_domains_line(stats) == "Dead domains (2): gone.example, lost.example"
    assert dead_domains_line({}) == "Dead domains (0): none"
    counts = progress_counts(stats, 0)
    assert (counts["archived"], counts["fallback"], counts["dead"]) == (24, 4, 2)
