"""The glossary check: a label that uses a listed Chinese term uses its English term.

The terms are seed/glossary.toml's (seed/README.md, "glossary.toml"); the labels are every
served name (indicators, metrics, entities, chains) and event title. The English term matches
case-insensitively, and so does the plural of its last word.
"""

from app.dataset.build import BuiltDataset
from app.dataset.curated import TermSeed
from app.dataset.errors import DatasetError, SeedProblem
from app.dataset.files import GLOSSARY, SeedBundle
from app.store.tables import Entity, Event, Indicator, IndustryChain, Metric

Label = tuple[str, str, str]  # (record, zh, en), e.g. ("metric:gdp-2020", "…", "GDP, 2020")


def labels(built: BuiltDataset) -> list[Label]:
    """Every served label pair: names of indicators, metrics, entities, chains; event titles."""
    found: list[Label] = []
    for row in built.rows:
        if isinstance(row, Indicator | Metric | Entity | IndustryChain):
            found.append((f"{row.__tablename__}:{row.id}", row.name_zh, row.name_en))
        elif isinstance(row, Event):
            found.append((f"event:{row.id}", row.title_zh, row.title_en))
    return found


def forms(en: str) -> tuple[str, ...]:
    """The term and the plural of its last word (cluster → clusters, class → classes)."""
    if en.endswith("y") and not en.endswith(("ay", "ey", "oy")):
        plural = en[:-1] + "ies"
    elif en.endswith(("s", "x", "ch", "sh")):
        plural = en + "es"
    else:
        plural = en + "s"
    return en.casefold(), plural.casefold()


def violations(terms: list[TermSeed], found: list[Label]) -> list[SeedProblem]:
    """Labels whose zh uses a term while their en does not use its translation."""
    bad = []
    for term in terms:
        for record, zh, en in found:
            if term.zh in zh and not any(f in en.casefold() for f in forms(term.en)):
                message = f"{zh!r} has {term.zh!r}, but {en!r} lacks {term.en!r}"
                bad.append(SeedProblem(GLOSSARY, record, "name", message))
    return bad


def require_glossary(seed: SeedBundle, built: BuiltDataset) -> None:
    """Raise DatasetError naming each label that breaks the glossary."""
    bad = violations(seed.glossary, labels(built))
    if bad:
        raise DatasetError(bad)
