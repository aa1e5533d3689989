"""Domain health: consecutive hard failures per registered domain, and when a domain is dead.

A hard failure is an attempt the domain did not answer at all (DNS failure, refused or
reset connection, time-out, a proxy's or gateway's error). Any real answer resets the
count. Past `threshold` consecutive hard failures the domain is dead for the rest of the
crawl. The counts are kept in the archive's index across runs; a domain that was dead in
an earlier run starts one failure short of the threshold, so a new run spends exactly one
attempt to see whether it came back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class DomainState:
    """What is known about one registered domain."""

    domain: str
    failures: int = 0
    reason: str | None = None
    last_failure: str | None = None
    last_success: str | None = None
    dead_since: str | None = None


class DomainHealth:
    """Per-domain failure counts for one crawl, seeded from earlier runs."""

    def __init__(self, threshold: int, known: Iterable[DomainState] = ()) -> None:
        if threshold < 1:
            raise ValueError(f"threshold must be 1 or more, not {threshold}")
        self.threshold = threshold
        self.states: dict[str, DomainState] = {}
        self._dead: set[str] = set()
        self._proven: set[str] = set()
        self._dirty: set[str] = set()
        for state in known:
            # A domain dead last time gets one attempt: one more failure and it is dead again.
            state.failures = min(state.failures, threshold - 1)
            self.states[state.domain] = state

    def state(self, domain: str) -> DomainState:
        """The state of `domain` (a fresh one if it was never seen)."""
        found = self.states.get(domain)
        if found is None:
            found = self.states[domain] = DomainState(domain)
        return found

    def is_dead(self, domain: str) -> bool:
        """True once `domain` crossed the threshold in this crawl."""
        return domain in self._dead

    def is_proven(self, domain: str) -> bool:
        """True when `domain` answered in this crawl and has not failed since."""
        return domain in self._proven

    def failure(self, domain: str, reason: str, when: str) -> bool:
        """Record a hard failure; True when this one made the domain dead."""
        state = self.state(domain)
        state.failures += 1
        state.reason = reason
        state.last_failure = when
        self._proven.discard(domain)
        self._dirty.add(domain)
        if state.failures >= self.threshold and domain not in self._dead:
            self._dead.add(domain)
            state.dead_since = when
            return True
        return False

    def success(self, domain: str, when: str) -> None:
        """Record an answer from the domain: its failure count starts again from zero."""
        self._proven.add(domain)
        state = self.states.get(domain)
        if state is None or (state.failures == 0 and state.dead_since is None):
            return  # healthy domains are not written to the index
        state.failures = 0
        state.last_success = when
        state.dead_since = None
        self._dead.discard(domain)
        self._dirty.add(domain)

    def dead_domains(self) -> list[DomainState]:
        """Domains dead in this crawl, by name."""
        return [self.states[d] for d in sorted(self._dead)]

    def take_changed(self) -> list[DomainState]:
        """States changed since the last call (to be written to the index)."""
        changed = [self.states[d] for d in sorted(self._dirty)]
        self._dirty.clear()
        return changed
