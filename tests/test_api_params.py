"""Date parameters: YYYY, YYYY-MM or YYYY-MM-DD, as lower or upper bounds, checked at the edge."""

from datetime import date

import pytest
from fastapi.exceptions import RequestValidationError

from app.api.params import DateParamError, date_range, parse_bound


@pytest.mark.parametrize(
    ("value", "upper", "expected"),
    [
        ("2020", False, date(2020, 1, 1)),
        ("2020", True, date(2020, 12, 31)),
        ("2021-02", False, date(2021, 2, 1)),
        ("2021-02", True, date(2021, 2, 28)),
        ("2020-02", True, date(2020, 2, 29)),
        ("2021-09-30", True, date(2021, 9, 30)),
        ("2021-09-30", False, date(2021, 9, 30)),
        (None, False, None),
    ],
)
def test_a_bound_resolves_to_its_first_or_last_day(
    value: str | None, upper: bool, expected: date | None
) -> None:
    assert parse_bound(value, upper=upper) == expected


@pytest.mark.parametrize("value", ["2021-13", "2021-00", "2021-02-30", "2021-2", "21", "2021/01"])
def test_a_bound_that_is_not_a_real_date_is_an_error(value: str) -> None:
    with pytest.raises(DateParamError):
        parse_bound(value, upper=False)


@pytest.mark.parametrize(
    ("from_", "to", "year", "expected"),
    [
        (None, None, None, (None, None)),
        ("2020", None, None, (date(2020, 1, 1), None)),
        (None, "2021-09", None, (None, date(2021, 9, 30))),
        (None, None, 2021, (date(2021, 1, 1), date(2021, 12, 31))),
        ("2021-06", None, 2021, (date(2021, 6, 1), date(2021, 12, 31))),
        ("2019", "2022", 2021, (date(2021, 1, 1), date(2021, 12, 31))),
    ],
)
def test_from_to_and_year_make_one_inclusive_range(
    from_: str | None, to: str | None, year: int | None, expected: tuple[date | None, ...]
) -> None:
    assert date_range(from_, to, year) == expected


@pytest.mark.parametrize(
    ("from_", "to", "names"),
    [
        ("2021", "2020", [("query", "to")]),
        ("2021-13", None, [("query", "from")]),
        ("2021-13", "2021-02-30", [("query", "from"), ("query", "to")]),
    ],
)
def test_bad_ranges_are_validation_errors_naming_every_bad_parameter(
    from_: str, to: str | None, names: list[tuple[str, str]]
) -> None:
    with pytest.raises(RequestValidationError) as raised:
        date_range(from_, to)
    assert [tuple(e["loc"]) for e in raised.value.errors()] == names
