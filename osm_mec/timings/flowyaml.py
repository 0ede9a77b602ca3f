"""A few fields of a flow-style YAML mapping, without building the whole mapping.

OSM publishes every Kafka value as ``yaml.safe_dump(msg, default_flow_style=True)``: one
flow mapping, wrapped at 80 columns. Loading a whole NS operation document with PyYAML
costs about 100 us; pairing needs four of its fields. ``pick`` walks only the brackets
and quotes of the text, decodes only the fields asked for, and gives exactly what
``yaml.safe_load`` would give for them. Anything outside the plain subset the dumper
writes (anchors, tags, complex keys, block scalars) raises ``NotFlow``; callers then
fall back to ``yaml.safe_load``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STRUCT = re.compile(r"[{}\[\]'\"]")
_ENTRY = re.compile(r"\s*(\S.*?):(?:\s+|$)(.*)", re.S)
_FOLD = re.compile(r"[ \t]*\n[ \t]*((?:\n[ \t]*)*)")
_SPECIAL = frozenset("?&*!|>%@`'\"{[")
_AFTER_COLON = frozenset(("", " ", "\n", "\t", "\r"))
_HOLE = "\x00"   # stands for a quoted scalar or nested collection: YAML text has no NUL
_ODD_KEY = re.compile(r"(?:^|,)[ \t\r\n]*[?\x00]")   # a quoted or complex key
_STR = "tag:yaml.org,2002:str"
# first character -> one pattern matching every plain scalar PyYAML resolves to a non-string
# (null, bool, int, float, timestamp, merge, value) from that character
_NOT_STR = {first: re.compile("|".join(f"(?:{p.pattern})" for tag, p in resolvers
                                        if tag != _STR), re.X)
            for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}

Spec = dict[str, Union["Spec", None]]


class NotFlow(ValueError):
    """The text is not a plain flow mapping this reader understands: load it whole."""


@dataclass(frozen=True)
class Span:
    """A quoted scalar or a nested collection: text[start:end], decoded only on demand; a
    collection carries its skeleton (see _walk)."""

    start: int
    end: int
    skeleton: str = ""
    spans: tuple[Span, ...] = ()


def _fold(text: str) -> str:
    """YAML line folding: one line break becomes a space, n > 1 breaks n - 1 newlines."""
    if "\n" not in text:
        return text
    return _FOLD.sub(lambda m: "\n" * m.group(1).count("\n") or " ", text)


def quote_end(text: str, at: int, end: int) -> int:
    """Index after the quoted scalar opening at text[at]."""
    quote = text[at]
    i = at + 1
    while True:
        close = text.find(quote, i, end)
        if close < 0:
            raise NotFlow("unterminated quoted scalar")
        if quote == "'":
            if text.startswith("''", close):
                i = close + 2
                continue
            return close + 1
        backslashes = len(text[i:close]) - len(text[i:close].rstrip("\\"))
        if backslashes % 2 == 0:
            return close + 1
        i = close + 1


def opens_scalar(text: str, at: int, start: int) -> bool:
    """A quote opens a scalar only where a scalar can begin (after { [ , or ': ')."""
    i = at - 1
    while i > start and text[i] in " \t\r\n":
        i -= 1
    before = text[i]
    return before in "{[," or (before == ":" and i < at - 1)


def _walk(text: str, start: int, stop: int) -> Span:
    """The collection opening at text[start], ending before `stop` at the latest: its span
    and its skeleton, the top level with each quoted scalar and nested collection replaced
    by a NUL (their spans in order, nested skeletons built in the same single pass)."""
    pieces: list[str] = []
    spans: list[Span] = []
    last = i = start + 1
    while True:
        match = _STRUCT.search(text, i, stop)
        if match is None:
            raise NotFlow("unbalanced brackets")
        char, at = match.group(), match.start()
        if char in "'\"":
            if not opens_scalar(text, at, start):
                i = at + 1
                continue
            after = quote_end(text, at, stop)
            pieces += [text[last:at], _HOLE]
            spans.append(Span(at, after))
        elif char in "{[":
            nested = _walk(text, at, stop)
            after = nested.end
            pieces += [text[last:at], _HOLE]
            spans.append(nested)
        else:
            if (char == "}") != (text[start] == "{"):
                raise NotFlow("mismatched brackets")
            pieces.append(text[last:at])
            return Span(start, at + 1, "".join(pieces), tuple(spans))
        last = i = after


def _entries(skeleton: str, spans: tuple[Span, ...]) -> list[list[str | Span]]:
    """The skeleton's 'key: value' entries, as plain text and spans."""
    entries: list[list[str | Span]] = []
    holes = iter(spans)
    for entry in skeleton.split(","):
        pieces: list[str | Span] = []
        for number, piece in enumerate(entry.split(_HOLE)):
            if number:
                pieces.append(next(holes))
            if piece.strip():
                pieces.append(piece)
        entries.append(pieces)
    return entries


def _items(text: str, mapping: Span, wanted: Spec) -> dict[Any, str | Span]:
    """Wanted keys of a walked mapping -> raw plain value or span."""
    skeleton, spans = mapping.skeleton, mapping.spans
    if _ODD_KEY.search(skeleton):
        return _all_items(skeleton, spans, text)  # a quoted or complex key
    items: dict[Any, str | Span] = {}
    for key in wanted:
        at = skeleton.find(key + ":")
        while at >= 0:
            after = at + len(key) + 1
            before = at - 1
            while before >= 0 and skeleton[before] in " \t\r\n":
                before -= 1
            if skeleton[after:after + 1] in _AFTER_COLON and \
                    (before < 0 or skeleton[before] == ","):
                stop = skeleton.find(",", after)
                value = skeleton[after:stop if stop >= 0 else len(skeleton)].strip()
                if value == _HOLE:
                    items[key] = spans[skeleton.count(_HOLE, 0, after)]
                elif _HOLE in value:
                    raise NotFlow(f"unexpected text after key {key!r}")
                else:
                    items[key] = value  # the last of repeated keys wins, as in PyYAML
            at = skeleton.find(key + ":", at + 1)
    return items


def _all_items(skeleton: str, spans: tuple[Span, ...], text: str
               ) -> dict[Any, str | Span]:
    """Every entry, decoding quoted keys: the slow path for mappings that have them."""
    items: dict[Any, str | Span] = {}
    for entry in _entries(skeleton, spans):
        if not entry:
            continue
        if isinstance(entry[0], Span):  # a quoted key: 'b:c': value
            key, entry = _quoted_key(text, entry)
            if key is None:
                raise NotFlow("complex key")
            head = f"k{entry[0]}"
        else:
            key, head = None, entry[0]
        match = _ENTRY.fullmatch(head)
        if match is None or match[1][0] in _SPECIAL:
            raise NotFlow(f"not a 'key: value' entry: {head.strip()[:40]!r}")
        if key is None:
            key = plain_scalar(match[1])
        rest = match[2].strip()
        if len(entry) == 1:
            items[key] = rest
        elif len(entry) == 2 and not rest and isinstance(entry[1], Span):
            items[key] = entry[1]
        else:
            raise NotFlow(f"unexpected text after key {key!r}")
    return items


def _quoted_key(text: str, entry: list[str | Span]) -> tuple[Any, list[str | Span]]:
    """(decoded key, the entry from its ':' on) for an entry starting with a quoted key."""
    span, rest = entry[0], entry[1:]
    if not isinstance(span, Span) or text[span.start] not in "'\"" or not rest or not isinstance(rest[0], str) \
            or not rest[0].lstrip().startswith(":"):
        return None, rest
    return _decode(text, span), [rest[0].lstrip(), *rest[1:]]


def plain_scalar(raw: str) -> Any:
    """A plain scalar's text (wrapped over lines, maybe) as yaml.safe_load decodes it."""
    value = _fold(raw)
    if value[:1] in _SPECIAL:
        raise NotFlow(f"unsupported scalar {value[:20]!r}")
    pattern = _NOT_STR.get(value[:1])
    if pattern is not None and pattern.match(value):
        return yaml.load(value, Loader=_LOADER)  # null, bool, int, float, timestamp
    return value


def _decode(text: str, value: str | Span) -> Any:
    if isinstance(value, str):
        return plain_scalar(value)
    if text[value.start] == "'":
        return _fold(text[value.start + 1:value.end - 1]).replace("''", "'")
    return yaml.load(text[value.start:value.end], Loader=_LOADER)


def _walked(span: Span) -> Span:
    return span


def pick_walked(text: str, spec: Spec, mapping: Span,
                expand: Callable[[Span], Span] = _walked) -> dict[str, Any]:
    """`spec`'s fields of a mapping already walked; `expand` gives the skeleton of a
    nested mapping the walk left without one (fastflow builds them only when asked)."""
    items = _items(text, mapping, spec)
    picked: dict[str, Any] = {}
    for key, inner in spec.items():
        if key not in items:
            continue
        value = items[key]
        if inner is not None and isinstance(value, Span) and text[value.start] == "{":
            picked[key] = pick_walked(text, inner, expand(value), expand)
        else:
            picked[key] = _decode(text, value)
    return picked


def pick(text: str, spec: Spec) -> dict[str, Any]:
    """The fields of `spec` (nested dicts name the sub-fields wanted, None a whole value)
    of the flow mapping `text`, as yaml.safe_load would decode them; NotFlow otherwise."""
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if text[start:start + 1] != "{" or text[end - 1:end] != "}":
        raise NotFlow("not a flow mapping")
    if _HOLE in text:
        raise NotFlow("a NUL character")
    try:
        root = _walk(text, start, end)
    except RecursionError:
        raise NotFlow("nested too deeply") from None
    if root.end != end:
        raise NotFlow("text after the mapping")
    return pick_walked(text, spec, root)


def pick_loaded(value: Any, spec: Spec) -> dict[str, Any]:
    """The same fields from an already loaded value (a JSON mapping, or the fallback)."""
    if not isinstance(value, dict):
        return {}
    picked: dict[str, Any] = {}
    for key, inner in spec.items():
        if key in value:
            item = value[key]
            picked[key] = pick_loaded(item, inner) if inner is not None and isinstance(
                item, dict) else item
    return picked
