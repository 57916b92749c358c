"""Splitting a scraped page into header, title, dateline, body and footer."""

import pytest

from app.dataset.document import SegmentationError, segment, split_lines
from app.vocabulary import ParagraphRole

PAGE = (
    "nav 1\n\n Title\n\xa0供稿:\xa0|\xa02021-01-02\n\n"
    "\xa0\xa0First body.\nSecond end.\nFooter 010\n"
)


def test_lines_are_trimmed_of_nbsp_and_spaces() -> None:
    spans = split_lines(PAGE)
    assert [PAGE[s:e] for s, e in spans] == [
        "nav 1",
        "Title",
        "供稿:\xa0|\xa02021-01-02",
        "First body.",
        "Second end.",
        "Footer 010",
    ]


def test_roles_and_body_numbers() -> None:
    paras = segment(PAGE, title_line="Title", dateline="供稿", body_first="First", body_last="end.")
    assert [(p.role, p.number) for p in paras] == [
        (ParagraphRole.header, None),
        (ParagraphRole.title, None),
        (ParagraphRole.dateline, None),
        (ParagraphRole.body, 1),
        (ParagraphRole.body, 2),
        (ParagraphRole.footer, None),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title_line": "Nope"}, "Nope"),
        ({"dateline": "Dated"}, "Dated"),
        ({"body_first": "Missing"}, "Missing"),
        ({"body_last": "never."}, "never."),
    ],
)
def test_wrong_markers_are_errors(kwargs: dict[str, str], message: str) -> None:
    args = {
        "title_line": "Title",
        "dateline": "供稿",
        "body_first": "First",
        "body_last": "end.",
    } | kwargs
    with pytest.raises(SegmentationError, match=message):
        segment(PAGE, **args)
