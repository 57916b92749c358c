"""The coverage check: every number in the body is a fact's span or an explained ignore."""

import re
from dataclasses import dataclass

from app.dataset.build import BuiltDataset
from app.dataset.errors import DatasetError, SeedProblem
from app.dataset.files import SeedBundle
from app.dataset.locate import Span
from app.vocabulary import ParagraphRole

NUMBER_TOKEN = re.compile(
    r"[0-9０-９]+(?:[.．][0-9０-９]+)?[万亿]*"  # Arabic and full-width digits, with multipliers
    r"|[零〇一二两三四五六七八九十百千万亿]+"  # Chinese numerals
    r"|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]"  # Roman numerals (water quality classes)
)


@dataclass(frozen=True)
class Token:
    """A number token in a body paragraph and what accounts for it."""

    document: str
    paragraph: int
    start: int
    end: int
    text: str
    covered_by: str | None
    context: str


@dataclass
class CoverageReport:
    """All tokens, plus problems with the ignore list itself."""

    tokens: list[Token]
    problems: list[SeedProblem]

    @property
    def uncovered(self) -> list[Token]:
        """Tokens no record and no ignore entry accounts for."""
        return [t for t in self.tokens if t.covered_by is None]

    @property
    def ok(self) -> bool:
        """True when every token is accounted for and every ignore entry is used."""
        return not self.uncovered and not self.problems

    def all_problems(self) -> list[SeedProblem]:
        """Every uncovered token as a problem (naming its paragraph), then the ignore list's."""
        uncovered = [
            SeedProblem(
                f"documents/{t.document}/source.txt",
                f"body paragraph {t.paragraph}",
                f"number {t.text!r}",
                f"covered by no fact and no [[ignore]] of coverage.toml (…{t.context}…)",
            )
            for t in self.uncovered
        ]
        return uncovered + self.problems


def require_coverage(seed: SeedBundle, built: BuiltDataset) -> None:
    """Raise DatasetError unless the coverage check passes (what `zhuzhou-facts coverage` runs)."""
    report = check_coverage(seed, built)
    if not report.ok:
        raise DatasetError(report.all_problems())


def check_coverage(seed: SeedBundle, built: BuiltDataset) -> CoverageReport:
    """Tokenise every body paragraph and match each token against the covering spans."""
    tokens: list[Token] = []
    problems: list[SeedProblem] = []
    for bundle in seed.documents:
        doc_id = bundle.meta.id
        text = built.texts[doc_id]
        body = [p for p in built.paragraphs[doc_id] if p.role is ParagraphRole.body]
        spans = list(built.spans.get(doc_id, []))
        ignore_used: dict[int, bool] = {}
        for i, ign in enumerate(bundle.ignores):
            record = f"[[ignore]] #{i + 1} context={ign.context!r}"
            paras = body if ign.paragraph is None else body[ign.paragraph - 1 : ign.paragraph]
            found = 0
            for p in paras:
                ptext = text[p.start : p.end]
                j = ptext.find(ign.context)
                while j != -1:
                    spans.append(Span(p.start + j, p.start + j + len(ign.context), f"ignore:{i}"))
                    found += 1
                    j = ptext.find(ign.context, j + 1)
            ignore_used[i] = False
            if not found:
                problems.append(
                    SeedProblem(
                        f"documents/{doc_id}/coverage.toml",
                        record,
                        "context",
                        "does not occur in the body (or in its paragraph)",
                    )
                )
        for p in body:
            assert p.number is not None
            for m in NUMBER_TOKEN.finditer(text, p.start, p.end):
                start, end = m.span()
                cover = next((s for s in spans if s.start <= start and end <= s.end), None)
                label = cover.record if cover else None
                if label and label.startswith("ignore:"):
                    idx = int(label.split(":")[1])
                    ignore_used[idx] = True
                    label = f"ignore: {bundle.ignores[idx].reason}"
                tokens.append(
                    Token(
                        doc_id,
                        p.number,
                        start,
                        end,
                        m.group(),
                        label,
                        text[max(p.start, start - 8) : min(p.end, end + 8)],
                    )
                )
        for i, used in ignore_used.items():
            if not used:
                problems.append(
                    SeedProblem(
                        f"documents/{doc_id}/coverage.toml",
                        f"[[ignore]] #{i + 1} context={bundle.ignores[i].context!r}",
                        "context",
                        "covers no number token",
                    )
                )
    return CoverageReport(tokens=tokens, problems=problems)
