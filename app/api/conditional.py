"""Conditional requests (RFC 9110 §13): If-Match and If-None-Match against a strong ETag."""

import re

# An entity-tag (§8.8.3): optional W/, then a quoted string of etagc characters.
ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def entity_tags(field: str) -> list[tuple[bool, str]] | None:
    """(weak, opaque-tag) of each member of an If-Match / If-None-Match field; None for `*`."""
    if field.strip() == "*":
        return None
    tags, pos = [], 0
    while pos < len(field):
        m = ENTITY_TAG.match(field, pos)
        if m is None:  # a malformed member: skip to the next comma
            comma = field.find(",", pos)
            pos = len(field) if comma == -1 else comma + 1
            continue
        tags.append((m.group(1) is not None, m.group(2)))
        pos = m.end()
    return tags


def if_match_passes(field: str, etag: str) -> bool:
    """§13.1.1: `*`, or any listed tag equal to ours by the strong comparison."""
    tags = entity_tags(field)
    return tags is None or any(not weak and tag == etag for weak, tag in tags)


def if_none_match_fails(field: str, etag: str) -> bool:
    """§13.1.2: `*`, or any listed tag equal to ours by the weak comparison (answer 304)."""
    tags = entity_tags(field)
    return tags is None or any(tag == etag for _, tag in tags)
