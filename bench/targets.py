"""The six targets of issue 12, judged on one run's medians; a FAIL names every cell short."""

from dataclasses import dataclass

from figures import CLIENT_BOUND_PCT, Run
from scenarios import SCENARIOS

MIN_SEARCH_SCALE = 0.5  # 1: selective searches at 1000× keep this share of their small rate
SELECTIVE = ["search", "search-2", "search-en"]
MIN_DATASETTE_RATIO = 5.0  # 2: first requests (cache off) vs Datasette
MAX_FIRST_P99_MS = 20.0
MIN_BARE_RATIO = 0.90  # 3: repeats (cache on) vs the bare ASGI app
MAX_REPEAT_P99_MS = 10.0
MIN_FILE_RATIO = 0.90  # 4: repeats through deploy/'s nginx cache vs nginx from files
# nginx keeps time in whole seconds: an entry stored at 10.9 s with max-age 5 is fresh until its
# clock reads 16, up to a second past max-age.
CLOCK_S = 1.0
MAX_RSS_MB = 150.0  # 6: ours-cached, small data
MAX_RSS_BIG_MB = 250.0  # 6: ours-uncached-big, the one server that reads the 1000× data
BIG_RSS_SERVER = "ours-uncached-big"


@dataclass
class Verdict:
    """One target: what it asks, what was measured, and whether it holds (None: informational,
    or not measured in this run)."""

    name: str
    asks: str
    measured: str
    ok: bool | None
    short: str = ""

    @property
    def status(self) -> str:
        if self.ok is None:
            return "SKIPPED" if self.measured.startswith("skipped") else "INFO"
        return "PASS" if self.ok else "FAIL"


def _listing(items: list[tuple[str, float]], fmt: str = "{:.2f}") -> str:
    return ", ".join(f"{k} {fmt.format(v)}" for k, v in items)


def _worst(items: list[tuple[str, float]], low_is_bad: bool = True) -> tuple[str, float]:
    return min(items, key=lambda x: x[1]) if low_is_bad else max(items, key=lambda x: x[1])


def _ratio_and_p99(
    run: Run, num: str, den: str, keys: list[str], min_ratio: float, max_p99: float
) -> tuple[str, list[str]]:
    """What was measured, and what is short: num/den on keys, num's p99 on every scenario."""
    ratios = run.ratios(num, den, keys)
    cells = {s.key: run.cell(num, s.key) for s in SCENARIOS}
    p99s = [(k, c.p99) for k, c in cells.items() if c]
    short = []
    low = [(k, r) for k, r in ratios if r < min_ratio]
    if low:
        gap = min_ratio - _worst(low)[1]
        short.append(
            f"ratio below {min_ratio:g} on {len(low)} of {len(ratios)} scenarios: "
            f"{_listing(low)} (worst {gap:.2f} short)"
        )
    slow = [(k, v) for k, v in p99s if v >= max_p99]
    if slow:
        short.append(f"p99 ≥ {max_p99:g} ms on {_listing(slow, '{:.1f} ms')}")
    errs = sum(c.errors for c in cells.values() if c)
    if errs:
        short.append(f"{errs} error responses")
    measured = []
    if ratios:
        wk, wr = _worst(ratios)
        measured.append(f"lowest ratio {wr:.2f} ({wk})")
    if p99s:
        pk, pv = _worst(p99s, low_is_bad=False)
        measured.append(f"highest p99 {pv:.2f} ms ({pk})")
    return "; ".join(measured), short


def _cpu_implied(run: Run, num: str, den: str) -> str:
    """The range of den/num server CPU per request over the scenarios: the req/s ratio the CPU
    alone implies (not judged; steadier than req/s on a busy machine)."""
    implied = []
    for s in SCENARIOS:
        a, b = run.cell(num, s.key), run.cell(den, s.key)
        if a and b and a.cpu_us and b.cpu_us:
            implied.append(b.cpu_us / a.cpu_us)
    if not implied:
        return ""
    return f"; CPU per request implies {min(implied):.2f}–{max(implied):.2f}"


def search_scale(run: Run) -> Verdict | None:
    n = run.params["copies"]
    ratios = run.ratios("ours-uncached-big", "ours-uncached", SELECTIVE)
    if not ratios:
        return None
    low = [(k, r) for k, r in ratios if r < MIN_SEARCH_SCALE]
    return Verdict(
        f"1. Selective search at {n}× the data (cache off)"
        + ("" if n == "1000" else " (the target asks 1000×)"),
        f"x{n}/small req/s ≥ {MIN_SEARCH_SCALE:g} for " + ", ".join(SELECTIVE),
        _listing(ratios),
        not low,
        f"below {MIN_SEARCH_SCALE:g} on {_listing(low)}" if low else "",
    )


def first_requests(run: Run) -> Verdict | None:
    if run.cell("ours-uncached", "all") is None:
        return None
    every = [s.key for s in SCENARIOS]
    measured, short = _ratio_and_p99(
        run, "ours-uncached", "datasette", every, MIN_DATASETTE_RATIO, MAX_FIRST_P99_MS
    )
    return Verdict(
        "2. First requests (cache off) vs Datasette",
        f"ours/Datasette req/s ≥ {MIN_DATASETTE_RATIO:g} on every scenario Datasette serves, "
        f"and p99 < {MAX_FIRST_P99_MS:g} ms at {run.params['connections']} connections on every "
        "scenario",
        measured,
        not short,
        "; ".join(short),
    )


def repeats(run: Run) -> Verdict | None:
    if run.cell("bare", "all") is None:
        return None
    every = [s.key for s in SCENARIOS]
    measured, short = _ratio_and_p99(
        run, "ours-cached", "bare", every, MIN_BARE_RATIO, MAX_REPEAT_P99_MS
    )
    return Verdict(
        "3. Repeats (cache on) vs bare ASGI, same bytes",
        f"ours/bare req/s ≥ {MIN_BARE_RATIO:.2f} and p99 < {MAX_REPEAT_P99_MS:g} ms at "
        f"{run.params['connections']} connections, every scenario (304 and CSV included)",
        measured + _cpu_implied(run, "ours-cached", "bare"),
        not short,
        "; ".join(short),
    )


def through_cache(run: Run) -> Verdict:
    name = "4a. Repeats through deploy/'s nginx cache vs nginx from files, same bytes"
    asks = f"cache/file req/s ≥ {MIN_FILE_RATIO:.2f} on every scenario"
    if "proxy" in run.skipped:
        return Verdict(name, asks, run.skipped["proxy"], None)
    ratios = run.ratios("nginx-cache", "nginx-file", [s.key for s in SCENARIOS])
    if not ratios:
        return Verdict(name, asks, "not measured", False, "no figures")
    low = [(k, r) for k, r in ratios if r < MIN_FILE_RATIO]
    wk, wr = _worst(ratios)
    bound = [
        k
        for k, _ in ratios
        if any(
            (c := run.cell(srv, k)) and c.client_pct > CLIENT_BOUND_PCT
            for srv in ("nginx-cache", "nginx-file")
        )
    ]
    measured = f"lowest ratio {wr:.2f} ({wk})" + _cpu_implied(run, "nginx-cache", "nginx-file")
    if bound:
        measured += (
            f"; wrk used over {CLIENT_BOUND_PCT:g}% of its core on {', '.join(bound)}, so those "
            "ratios compare the client's pace more than nginx's"
        )
    return Verdict(
        name,
        asks,
        measured,
        not low,
        f"below {MIN_FILE_RATIO:.2f} on {_listing(low)}" if low else "",
    )


def reseed_seen(run: Run) -> Verdict:
    name = "4b. A reseed shows through the nginx cache within max-age"
    r = run.reseeds
    asks = "the new version's ETag through nginx within max-age of the reseed"
    if r is None:
        return Verdict(name, asks, run.skipped.get("proxy", "skipped"), None)
    asks = (
        f"the new version's ETag through nginx within max-age ({r.max_age} s, plus up to "
        f"{CLOCK_S:g} s of nginx's whole-second clock) of the reseed, and never the old one after"
    )
    delays = [c.delay_s for c in r.cycles]
    seen = [d for d in delays if d is not None]
    flips = sum(c.flips for c in r.cycles)
    measured = (
        f"{len(r.cycles)} reseeds, new version after "
        + ", ".join("not seen" if d is None else f"{d:.2f} s" for d in delays)
        + (f" (longest {max(seen):.2f} s)" if seen else "")
    )
    short = []
    late = [d for d in delays if d is None or d > r.max_age + CLOCK_S]
    if late:
        short.append(f"{len(late)} reseeds not seen within {r.max_age + CLOCK_S:g} s")
    if flips:
        short.append(f"{flips} answers of the old version after the new one")
    return Verdict(name, asks, measured, not short, "; ".join(short))


def postgresql(run: Run) -> Verdict:
    name = "5. PostgreSQL vs SQLite, first requests (cache off), same machine"
    asks = "a figure per scenario (informational: what the scale-out backend costs)"
    if "postgres" in run.skipped:
        return Verdict(name, asks, run.skipped["postgres"], None)
    ratios = run.ratios("ours-uncached-pg", "ours-uncached", [s.key for s in SCENARIOS])
    if not ratios:
        return Verdict(name, asks, "not measured", False, "no figures")
    lo, hi = _worst(ratios), _worst(ratios, low_is_bad=False)
    return Verdict(
        name,
        asks,
        f"PostgreSQL/SQLite req/s from {lo[1]:.2f} ({lo[0]}) to {hi[1]:.2f} ({hi[0]}) on "
        f"{len(ratios)} scenarios",
        None,
    )


def memory(run: Run, scale: bool) -> Verdict | None:
    small = run.rss_mb.get("ours-cached")
    if small is None:
        return None
    big = run.rss_mb.get(BIG_RSS_SERVER) if scale else None
    measured = f"ours-cached {small:.1f} MB"
    short = []
    if small >= MAX_RSS_MB:
        short.append(f"ours-cached {small - MAX_RSS_MB:.1f} MB over")
    if big is not None:
        measured += f"; {BIG_RSS_SERVER} {big:.1f} MB"
        if big >= MAX_RSS_BIG_MB:
            short.append(f"{BIG_RSS_SERVER} {big - MAX_RSS_BIG_MB:.1f} MB over")
    asks = f"VmRSS < {MAX_RSS_MB:g} MB (ours-cached, small data)"
    if scale:
        asks += f" and < {MAX_RSS_BIG_MB:g} MB ({BIG_RSS_SERVER}, {run.params['copies']}× data)"
    return Verdict("6. Resident memory after the run", asks, measured, not short, "; ".join(short))


def verdicts(run: Run, scale: bool) -> list[Verdict]:
    """Every target this run measured, in the issue's order."""
    found = [
        search_scale(run) if scale else None,
        first_requests(run),
        repeats(run),
        through_cache(run),
        reseed_seen(run),
        postgresql(run),
        memory(run, scale),
    ]
    return [v for v in found if v is not None]
