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
from dataclasses import dataclass
from typing import Any, Union

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STRUCT = re.compile(r"[{}\[\]'\"]")
_ENTRY = re.compile(r"\s*(\S.*?):(?:\s+|$)(.*)", re.S)
_FOLD = re.compile(r"[ \t]*\n[ \t]*((?:\n[ \t]*)*)")
_SPECIAL = frozenset("?&*!|>%@`'\"{[")
_AFTER_COLON = frozenset(("", " ", "\n", "\t", "\r"))
_HOLE = "\x00"
_ODD_KEY = re.compile(r"(?:^|,)[ \t\r\n]*[?\x00]")   # stands for a quoted scalar or nested collection: YAML text has no NUL
_OPENERS = frozenset("{[,:")
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"

Spec = dict[str, Union["Spec", None]]


class NotFlow(ValueError):
    """The text is not a plain flow mapping this reader understands: load it whole."""


@dataclass(frozen=True)
class _Span:
    """A quoted scalar or a nested collection: text[start:end], decoded only on demand."""

    start: int
    end: int


def _fold(text: str) -> str:
    """YAML line folding: one line break becomes a space, n > 1 breaks n - 1 newlines."""
    if "\n" not in text:
        return text
    return _FOLD.sub(lambda m: "\n" * m.group(1).count("\n") or " ", text)


def _quote_end(text: str, at: int, end: int) -> int:
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


def _opens_scalar(text: str, at: int, start: int) -> bool:
    """A quote opens a scalar only where a scalar can begin (after { [ , or ': ')."""
    i = at - 1
    while i > start and text[i] in " \t\r\n":
        i -= 1
    before = text[i]
    return before in "{[," or (before == ":" and i < at - 1)


def _skeleton(text: str, start: int, end: int) -> tuple[str, list[_Span]]:
    """The top level of the collection text[start:end] (brackets included), each of its
    quoted scalars and nested collections replaced by a NUL, and their spans in order."""
    pieces: list[str] = []
    spans: list[_Span] = []
    depth, last, i, nested = 0, start + 1, start + 1, start
    stop = end - 1
    while True:
        match = _STRUCT.search(text, i, stop)
        if match is None:
            break
        char, at = match.group(), match.start()
        if char in "'\"":
            if not _opens_scalar(text, at, start):
                i = at + 1
                continue
            after = _quote_end(text, at, stop)
            if depth == 0:
                pieces += [text[last:at], _HOLE]
                spans.append(_Span(at, after))
                last = after
            i = after
        elif char in "{[":
            if depth == 0:
                pieces.append(text[last:at])
                nested = at
            depth += 1
            i = at + 1
        else:
            depth -= 1
            if depth < 0:
                raise NotFlow("unbalanced brackets")
            if depth == 0:
                pieces.append(_HOLE)
                spans.append(_Span(nested, at + 1))
                last = at + 1
            i = at + 1
    if depth:
        raise NotFlow("unbalanced brackets")
    pieces.append(text[last:stop])
    return "".join(pieces), spans


def _entries(skeleton: str, spans: list[_Span]) -> list[list[str | _Span]]:
    """The skeleton's 'key: value' entries, as plain text and spans."""
    entries: list[list[str | _Span]] = []
    holes = iter(spans)
    for entry in skeleton.split(","):
        pieces: list[str | _Span] = []
        for number, piece in enumerate(entry.split(_HOLE)):
            if number:
                pieces.append(next(holes))
            if piece.strip():
                pieces.append(piece)
        entries.append(pieces)
    return entries


def _items(text: str, start: int, end: int, wanted: Spec) -> dict[Any, str | _Span]:
    """Wanted keys of the mapping text[start:end] -> raw plain value or span."""
    skeleton, spans = _skeleton(text, start, end)
    if _ODD_KEY.search(skeleton):
        return _all_items(skeleton, spans, text)  # a quoted or complex key
    items: dict[Any, str | _Span] = {}
    for key in wanted:
        at = skeleton.find(key + ":")
        while at >= 0:
            after = at + len(key) + 1
            if skeleton[after:after + 1] in _AFTER_COLON and \
                    skeleton[:at].rstrip(" \t\r\n")[-1:] in ("", ","):
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


def _all_items(skeleton: str, spans: list[_Span], text: str) -> dict[Any, str | _Span]:
    """Every entry, decoding quoted keys: the slow path for mappings that have them."""
    items: dict[Any, str | _Span] = {}
    for entry in _entries(skeleton, spans):
        if not entry:
            continue
        if isinstance(entry[0], _Span):  # a quoted key: 'b:c': value
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
            key = _plain(match[1])
        rest = match[2].strip()
        if len(entry) == 1:
            items[key] = rest
        elif len(entry) == 2 and not rest and isinstance(entry[1], _Span):
            items[key] = entry[1]
        else:
            raise NotFlow(f"unexpected text after key {key!r}")
    return items


def _quoted_key(text: str, entry: list[str | _Span]) -> tuple[Any, list[str | _Span]]:
    """(decoded key, the entry from its ':' on) for an entry starting with a quoted key."""
    span, rest = entry[0], entry[1:]
    if text[span.start] not in "'\"" or not rest or not isinstance(rest[0], str) \
            or not rest[0].lstrip().startswith(":"):
        return None, rest
    return _decode(text, span), [rest[0].lstrip(), *rest[1:]]


def _plain(raw: str) -> Any:
    value = _fold(raw)
    if value[:1] in _SPECIAL:
        raise NotFlow(f"unsupported scalar {value[:20]!r}")
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if tag != _STR and pattern.match(value):
            return yaml.load(value, Loader=_LOADER)  # null, bool, int, float, timestamp
    return value


def _decode(text: str, value: str | _Span) -> Any:
    if isinstance(value, str):
        return _plain(value)
    if text[value.start] == "'":
        return _fold(text[value.start + 1:value.end - 1]).replace("''", "'")
    return yaml.load(text[value.start:value.end], Loader=_LOADER)


def _pick(text: str, spec: Spec, start: int, end: int) -> dict[str, Any]:
    items = _items(text, start, end, spec)
    picked: dict[str, Any] = {}
    for key, inner in spec.items():
        if key not in items:
            continue
        value = items[key]
        if inner is not None and isinstance(value, _Span) and text[value.start] == "{":
            picked[key] = _pick(text, inner, value.start, value.end)
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
    return _pick(text, spec, start, end)


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
