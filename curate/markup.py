"""Escapes for text that comes from data, by where it is shown: a terminal, rich markup,
Markdown or JSON. Every string from records, file names, field names, paths and
exception messages passes through one of these before curate shows it, so that a
hostile value can neither move the cursor, set the title, hide or reorder text,
restyle output, nor add a tag, link or image to a rendered document.

`plain` is the one terminal escape: every character Python's `str.isprintable` refuses
(C0 and C1 controls with ESC, CR, LF and TAB, DEL, bidirectional and invisible format
characters, line and paragraph separators, surrogates, unassigned code points, spaces
other than U+0020) is shown as `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`, and a backslash that
could be read as the start of such an escape (or that ends the text, where it could
escape what follows) is doubled, so different texts always show differently. `visible`
builds rich markup on it; the Markdown escapes show unprintable characters the same way;
`json_text` escapes them in a serialised JSON document.
"""

from __future__ import annotations

import re

__all__ = ["json_text", "markdown_code", "markdown_text", "plain", "visible"]

_ESCAPE_STARTS = frozenset("\\xuU")


def _escape(char: str) -> str:
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def _controls(text: str) -> str:
    """`text` with its unprintable characters as escapes and backslashes as they are:
    for Markdown, where the value shown is a repr or a name, not arbitrary text."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def plain(text: str) -> str:
    """`text` safe for a terminal and distinguishable from any other text: unprintable
    characters shown as escapes (see the module's docstring)."""
    if text.isprintable() and "\\" not in text:
        return text
    shown: list[str] = []
    for index, char in enumerate(text):
        if char == "\\":
            after = text[index + 1 : index + 2]
            ambiguous = after == "" or after in _ESCAPE_STARTS or not after.isprintable()
            shown.append("\\\\" if ambiguous else "\\")
        elif char.isprintable():
            shown.append(char)
        else:
            shown.append(_escape(char))
    return "".join(shown)


_BRACKET = re.compile(r"(\\*)\[")
_TAG = re.compile(r"\[[a-z#/@][^[]*?]")  # what rich reads as a tag (rich.markup.RE_TAGS)


def _markup_bracket(found: re.Match[str]) -> str:
    backslashes = len(found.group(1))
    if _TAG.match(found.string, found.end() - 1):
        # rich shows n backslashes and the tag as text for 2n + 1 backslashes before it
        return "\\" * (2 * backslashes + 1) + "["
    # elsewhere rich drops the one backslash right before a bracket
    return "\\" * (backslashes + 1 if backslashes else 0) + "["


def visible(text: str) -> str:
    """`plain(text)` as rich markup that renders as exactly `plain(text)`: `[red]` in
    data is shown as written, never as a style. (The console must not replace emoji
    codes: `rich_console` turns them off.)"""
    return _BRACKET.sub(_markup_bracket, plain(text))


# Characters that start or end inline Markdown (code, emphasis, strikethrough, links,
# images, table cells) wherever they are; `<` starts HTML or an autolink before a
# letter, `/`, `!` or `?`, and `&` an entity before a letter, a digit or `#`.
_MARKDOWN_ACTIVE = frozenset("\\`*~[]|#")
_OPENS_AFTER = {"<": re.compile("[A-Za-z/!?]"), "&": re.compile("[A-Za-z0-9#]")}
# What a line may start with to become a heading, quote, list item, rule or code block.
_LINE_START = re.compile(r"^(?:[-+=>]|[0-9]{1,9}[.)])")


def markdown_text(text: str, *, block: bool = False) -> str:
    """`text` as Markdown text that renders as itself, its unprintable characters as
    escapes (as `plain` shows them, backslashes kept as they are): characters that start
    inline Markdown are backslash-escaped (`_` where it could start or end emphasis,
    not inside a word). With `block`, the text also cannot start a block (a heading,
    list item, quotation, rule or indented code) when it begins a line."""
    shown = _controls(text)
    escaped: list[str] = []
    for index, char in enumerate(shown):
        if char in _MARKDOWN_ACTIVE:
            escaped.append("\\" + char)
        elif char in _OPENS_AFTER:
            opens = _OPENS_AFTER[char].match(shown, index + 1) is not None
            escaped.append("\\" + char if opens else char)
        elif char == "_":
            before = shown[index - 1 : index] if index else ""
            after = shown[index + 1 : index + 2]
            inside_word = before.isalnum() and after.isalnum()
            escaped.append("_" if inside_word else "\\_")
        else:
            escaped.append(char)
    result = "".join(escaped)
    if block:
        stripped = result.lstrip(" ")
        result = "&#32;" * (len(result) - len(stripped)) + stripped
        found = _LINE_START.match(result)
        if found:
            end = found.end()
            result = result[: end - 1] + "\\" + result[end - 1 :]
    return result


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """`text`, its unprintable characters as escapes, as a Markdown code span, which
    renders as itself with no HTML, link or emphasis: its fence is longer than any run
    of backticks in it. `in_table` also escapes `|`, which would end a table cell even
    inside code."""
    shown = _controls(text)
    if in_table:
        shown = shown.replace("|", "\\|")
    runs = [len(run) for run in re.findall("`+", shown)]
    fence = "`" * (max(runs, default=0) + 1)
    if not shown.strip(" "):  # a span of spaces keeps them all; an empty one is a space
        return f"` {shown}`" if not shown else f"{fence}{shown}{fence}"
    # A renderer strips one space from each end of a span that starts and ends with one
    pad = " " if shown[0] in "` " or shown[-1] in "` " else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def _json_escape(char: str) -> str:
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def json_text(document: str) -> str:
    """A serialised JSON document with the unprintable characters its serialiser leaves
    raw (DEL, C1 controls, bidirectional and invisible format characters, separators)
    written as `\\u` escapes: the same JSON value, safe to print on a terminal. Outside
    strings a document holds only printable ASCII and line ends, which are kept; inside
    them a serialiser has escaped every ASCII control, and an escape means the same
    character."""
    if document.isascii() and "\x7f" not in document:
        return document
    return "".join(
        char if char.isprintable() or char in "\n\r\t" else _json_escape(char) for char in document
    )
