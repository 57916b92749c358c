"""A source quote cut into segments so the quantity expression in it can be highlighted."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A run of the quote; `mark` when it is the quantity as written."""

    text: str
    mark: bool


def highlight(quote: str, expression: str) -> tuple[list[Segment], int]:
    """The quote in segments with every occurrence of `expression` marked, and how many there are.

    The API gives the quote's offsets, not the expression's, so an expression written twice in
    one quote (`3万职工、3万居民`) cannot be told apart: both are marked and the caller says so.
    """
    if not expression or expression not in quote:
        return [Segment(quote, False)], 0
    segments: list[Segment] = []
    parts = quote.split(expression)
    for index, part in enumerate(parts):
        if part:
            segments.append(Segment(part, False))
        if index < len(parts) - 1:
            segments.append(Segment(expression, True))
    return segments, len(parts) - 1
