"""What one run measured, and the medians and ratios the report and the targets are made of."""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from reseed import Reseeds
from wrk import WrkResult

# A timed run during which other work used more than this much of a core is listed as noisy.
NOISY_PCT = 10.0
# A timed run in which wrk used more than this much of its core may be paced by wrk, not by
# the server: its req/s is a floor of what the server can do.
CLIENT_BOUND_PCT = 90.0

Checked = tuple[str, str, str, int, int, str]  # server, scenario, target, status, bytes, body


@dataclass
class Cell:
    """The medians of one (server, scenario) over the rounds, and the errors seen in any."""

    rps: float
    p50: float
    p99: float
    client_pct: float  # wrk's CPU, in % of its core
    cpu_us: float  # the server's CPU per request, in µs: steadier than req/s on a busy machine
    rounds: list[WrkResult]

    @classmethod
    def of(cls, runs: list[WrkResult]) -> "Cell":
        return cls(
            rps=statistics.median(r.rps for r in runs),
            p50=statistics.median(r.p50_ms for r in runs),
            p99=statistics.median(r.p99_ms for r in runs),
            client_pct=statistics.median(r.client_cpu_pct for r in runs),
            cpu_us=statistics.median(r.server_cpu_us for r in runs),
            rounds=runs,
        )

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def spread(self) -> str:
        lo = min(r.rps for r in self.rounds)
        hi = max(r.rps for r in self.rounds)
        return f"{lo:,.0f}–{hi:,.0f}"


@dataclass
class Run:
    """Everything measured in one run of the bench."""

    started: dt.datetime
    elapsed_s: float
    params: dict[str, str]
    results: dict[tuple[str, str], list[WrkResult]]
    rss_mb: dict[str, float | None]
    responses: list[Checked]
    totals: dict[tuple[str, str], int] = field(default_factory=dict)  # matches, from `total`
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # "proxy", "postgres": why
    reseeds: Reseeds | None = None

    def cell(self, server: str, scenario: str) -> Cell | None:
        runs = self.results.get((server, scenario))
        return Cell.of(runs) if runs else None

    def ratios(self, num: str, den: str, keys: list[str]) -> list[tuple[str, float]]:
        """num/den req/s (medians) per scenario, for the scenarios both have."""
        out = []
        for k in keys:
            a, b = self.cell(num, k), self.cell(den, k)
            if a and b:
                out.append((k, div(a.rps, b.rps)))
        return out


def div(a: float, b: float) -> float:
    return a / b if b else (float("inf") if a else 0.0)
