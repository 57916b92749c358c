"""Settings: what the environment may say, and what it is refused."""

import pytest
from pydantic import ValidationError

from app.config import Settings


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("", ""),
        ("/", ""),
        ("/facts", "/facts"),
        ("/facts/", "/facts"),
        ("/a/b-c.d_~", "/a/b-c.d_~"),
    ],
)
def test_root_path_is_a_path_prefix_without_a_trailing_slash(given: str, kept: str) -> None:
    assert Settings(root_path=given).root_path == kept


@pytest.mark.parametrize(
    "given", ["facts", "/a b", "/a//b", "/..", "/x/./y", "/é", "/a?b", "/a%2F"]
)
def test_root_path_refuses_what_is_not_a_plain_prefix(given: str) -> None:
    with pytest.raises(ValidationError, match="ROOT_PATH must be"):
        Settings(root_path=given)
