"""The one semver parser (`curate.schema.semver`): canonical spellings only, ordered as
versions, and the same answer wherever a version is read (schema, release, journal)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.errors import InputError, SchemaDefinitionError
from curate.schema import semver

numbers = st.integers(min_value=0, max_value=10**12)
versions = st.builds(semver.Version, numbers, numbers, numbers)


@given(versions)
def test_parse_inverts_str(version: semver.Version) -> None:
    text = str(version)
    assert semver.is_version(text)
    assert semver.parse(text) == version
    assert str(semver.parse(text)) == text


@given(versions, versions)
def test_versions_order_by_number(a: semver.Version, b: semver.Version) -> None:
    assert (a < b) == ((a.major, a.minor, a.patch) < (b.major, b.minor, b.patch))
    texts = [str(b), str(a)]
    assert semver.sorted_versions(texts) == [str(v) for v in sorted([b, a])]


def test_order_is_numeric_not_textual() -> None:
    assert semver.sorted_versions(["1.10.0", "1.9.0", "0.0.10", "0.0.9"]) == [
        "0.0.9",
        "0.0.10",
        "1.9.0",
        "1.10.0",
    ]


def _spellings(version: semver.Version) -> st.SearchStrategy[str]:
    """Non-canonical spellings of `version`: each is not a version."""
    parts = [str(version.major), str(version.minor), str(version.patch)]
    text = str(version)
    padded = st.integers(0, 2).map(
        lambda i: ".".join("0" + p if j == i else p for j, p in enumerate(parts))
    )
    prefixed = st.sampled_from(["v", "V", "=", "^", "~"]).map(lambda p: p + text)
    spaced = st.sampled_from([" ", "\t", "\n", "\r\n", "\u00a0"]).flatmap(
        lambda w: st.sampled_from([w + text, text + w, text.replace(".", w + ".", 1)])
    )
    suffixed = st.from_regex(r"[-+][0-9A-Za-z.-]{1,12}", fullmatch=True).map(lambda s: text + s)
    other = st.sampled_from(
        [
            ".".join(parts[:2]),
            text + ".0",
            text.replace(".", ",", 1),
            # Digits that are not ASCII (U+0661 is Arabic-Indic one): int() would take them.
            text.replace(parts[0], "\u0661" * len(parts[0]), 1),
        ]
    )
    return st.one_of(padded, prefixed, spaced, suffixed, other)


@given(versions.flatmap(_spellings))
def test_non_canonical_spellings_are_refused(text: str) -> None:
    assert not semver.is_version(text)
    with pytest.raises(InputError, match=re.escape(repr(text))):
        semver.parse(text)
    with pytest.raises(SchemaDefinitionError, match="semver"):
        semver.parse(text, what="schema version", error=SchemaDefinitionError)
    assert not re.fullmatch(rf"releases/{semver.PATTERN}", f"releases/{text}")


@pytest.mark.parametrize("value", [None, 1, 1.0, b"1.0.0", ("1", "0", "0"), ""])
def test_non_text_is_not_a_version(value: object) -> None:
    assert not semver.is_version(value)
    with pytest.raises(InputError):
        semver.parse(value)


def test_the_message_is_one_line() -> None:
    with pytest.raises(InputError) as caught:
        semver.parse("1.0.0\n")
    assert "\n" not in str(caught.value)
    assert str(caught.value) == (
        "version '1.0.0\\n' is not of the form MAJOR.MINOR.PATCH (semver, no prefix or suffix)"
    )


def test_every_version_reader_uses_the_one_parser() -> None:
    """The schema's, the releases' and the journal's version readers agree with it."""
    from curate.disk import journal
    from curate.schema import evolution

    for text in ["1.0.0", "10.20.30", "01.0.0", "1.0.0\n", "v1.0.0", "1.0.0-rc.1"]:
        expected = semver.is_version(text)
        assert (journal.RELEASE_DIRECTORY.fullmatch(f"releases/{text}") is not None) == expected
        for parse, error in (
            (semver.parse, InputError),
            (evolution.parse_schema_version, SchemaDefinitionError),
        ):
            if expected:
                assert parse(text) == semver.parse(text)
            else:
                with pytest.raises(error):
                    parse(text)
