"""The fast path of ``flowyaml.pick``: the same few fields of a flow-style YAML mapping
(bytes), read by a plan made once per shape of document.

A capture holds hundreds of thousands of NS operation documents of a handful of
shapes: the same keys and brackets, only ids, names and times differ. The *shape* of a
document is its text with every character that never decides structure (digits, a-f,
'.' and '-') turned into 'h': a shape keeps every bracket, quote, backslash, comma,
colon, '?' and space where it was. A *plan* says, for a shape, where each wanted field's
raw text sits; it is made from the shape alone, so it holds for every document of that
shape, checked only where a wanted key is spelt (a key's own letters may be a-f):

* quoted scalars (found with ``find``, opened only where ``flowyaml`` opens them) are
  blanked with NULs, so every bracket left is structural;
* one ``translate`` keeps only the structure: the brackets must nest (checked by
  ``replace`` until nothing is left), and no mapping entry may start with a quoted
  scalar, '?' or a collection (``flowyaml`` reads every entry of such a mapping);
* every place a wanted key may be spelt is kept when it is at its mapping's level (the
  bracket counts before it) and at an entry's start, with where its value sits: plain
  text up to the next ',' or '}', or a nested mapping with its own plan.

Applying a plan checks which of those places spell the key in this document (the last
one wins, as in PyYAML) and decodes the plain text as ``flowyaml`` does. A wanted value
that is quoted or a list, or any shape the plan does not read, gives None: the caller
asks ``flowyaml.pick`` (tests/timings/test_fastflow.py compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .flowyaml import NotFlow, Spec, opens_scalar, plain_scalar, quote_end

_WS = b" \t\r\n"
_SHAPE = bytes.maketrans(b"0123456789abcdef.-", b"h" * 18)
_KEEP = frozenset(b"{}[],:?\x00")
_STRUCTURE = bytes(c for c in range(256) if c not in _KEEP)   # deleted by translate
_NOT_BRACKET = b",:?\x00"
_UNIFY = bytes.maketrans(b"[]", b"{}")
_ODD_ENTRIES = (b"{{", b"{[", b"{\x00", b"{?", b",{", b",[", b",\x00", b",?")
# More than 10 of these with a '-' after the first: a string for YAML 1.1 (an int has no
# '-' after its sign, a float needs '.', a time ':', a date is at most 10 long): an id
_HEX_DASH = b"0123456789abcdef-"
MAX_DEPTH = 200
MAX_PLANS = 4096


@dataclass(frozen=True)
class _Place:
    """Where a wanted key may be spelt (text[at:at + len(needle)]) and its value: the
    plain text[start:stop], a nested mapping's plan, or None (flowyaml must read it)."""

    at: int
    needle: bytes
    start: int = 0
    stop: int = 0
    nested: Plan | None = None
    readable: bool = True


Plan = dict[str, list[_Place]]


def _unquoted(shape: bytes) -> bytes | None:
    """`shape` with each quoted scalar blanked with NULs; None if one is not closed."""
    if b"'" not in shape and b'"' not in shape:
        return shape
    text = shape.decode("ascii")
    pieces: list[str] = []
    last = at = 0
    while True:
        single, double = text.find("'", at), text.find('"', at)
        quote = double if single < 0 or 0 <= double < single else single
        if quote < 0:
            break
        # flowyaml looks back over whitespace down to the enclosing collection's bracket
        # at most: that bracket is not whitespace, so looking from 0 stops at it too
        if not opens_scalar(text, quote, 0):
            at = quote + 1
            continue
        try:
            at = quote_end(text, quote, len(text))
        except NotFlow:
            return None
        pieces += [text[last:quote], "\x00" * (at - quote)]
        last = at
    pieces.append(text[last:])
    return "".join(pieces).encode("ascii")


def _nested(brackets: bytes) -> bool:
    """Whether a sequence of brackets is one collection holding well-nested ones."""
    if brackets[:1] != b"{" or brackets[-1:] != b"}":
        return False
    inner = brackets[1:-1]
    for _ in range(MAX_DEPTH):
        if not inner:
            return True
        shorter = inner.replace(b"{}", b"").replace(b"[]", b"")
        if len(shorter) == len(inner):
            return False
        inner = shorter
    return False


def _odd_entry(structure: bytes) -> bool:
    """Whether some mapping entry starts with a quoted scalar, '?' or a collection (a
    ',' inside a list starts a list item: that one is fine)."""
    for needle in _ODD_ENTRIES:
        at = structure.find(needle)
        while at >= 0:
            if needle[:1] == b"{" or _in_mapping(structure, at):
                return True
            at = structure.find(needle, at + 1)
    return False


def _in_mapping(structure: bytes, at: int) -> bool:
    """Whether the collection enclosing structure[at] is a mapping."""
    depth = 0
    for char in reversed(structure[:at]):
        if char in b"}]":
            depth += 1
        elif char in b"{[":
            if depth == 0:
                return char == ord("{")
            depth -= 1
    return False


class _Planner:
    """Makes the plan of one shape (its quoted scalars blanked)."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.unified = text.translate(_UNIFY)

    def depth(self, at: int) -> int:
        """How many collections enclose text[at]."""
        return self.unified.count(b"{", 0, at) - self.unified.count(b"}", 0, at)

    def close(self, start: int) -> int:
        """Where the collection opening at text[start] closes."""
        unified = self.unified
        at = unified.find(b"}", start)
        while unified.count(b"{", start, at) != unified.count(b"}", start, at) + 1:
            at = unified.find(b"}", at + 1)
        return at

    def plan(self, spec: Spec, start: int, end: int, level: int) -> Plan:
        """Where `spec`'s keys may be, in the mapping text[start:end + 1] (`level` deep)."""
        text = self.text
        plan: Plan = {}
        for key, inner in spec.items():
            needle = key.encode()
            shaped = needle.translate(_SHAPE) + b":"
            places = []
            at = text.find(shaped, start + 1, end)
            while at >= 0:
                after = at + len(shaped)
                if (after == end or text[after] in _WS) and self._entry_start(at, start) \
                        and self.depth(at) == level:
                    places.append(self._place(inner, at, needle + b":", after, end, level))
                at = text.find(shaped, at + 1, end)
            if places:
                plan[key] = places
        return plan

    def _entry_start(self, at: int, start: int) -> bool:
        """Whether text[at] starts an entry of the mapping opening at text[start]."""
        text = self.text
        before = at - 1
        while text[before] in _WS:
            before -= 1
        return before == start or text[before] == 44   # ","

    def _place(self, inner: Spec | None, at: int, needle: bytes, after: int, end: int,
               level: int) -> _Place:
        """A place of a key whose ':' ends at `after`, with where its value is."""
        text = self.text
        comma = text.find(b",", after, end)
        stop = end if comma < 0 else comma
        value = text[after:stop]
        if 123 not in value and 91 not in value:   # neither { nor [: plain or quoted
            return _Place(at, needle, after, stop, readable=0 not in value)
        opening = text.find(b"{", after, stop)
        if inner is None or opening < 0 or text[after:opening].strip(_WS) or \
                91 in text[after:opening]:
            return _Place(at, needle, readable=False)   # a list, or a whole mapping wanted
        close = self.close(opening)
        comma = text.find(b",", close, end)
        if text[close + 1:end if comma < 0 else comma].strip(_WS):
            return _Place(at, needle, readable=False)
        return _Place(at, needle, nested=self.plan(inner, opening, close, level + 1))


def plan_of(shape: bytes, spec: Spec) -> Plan | None:
    """The plan of a shape (a stripped flow mapping); None if it cannot be read here."""
    unquoted = _unquoted(shape)
    if unquoted is None:
        return None
    structure = unquoted.translate(None, _STRUCTURE)
    if not _nested(structure.translate(None, _NOT_BRACKET)) or _odd_entry(structure):
        return None
    return _Planner(unquoted).plan(spec, 0, len(unquoted) - 1, 1)


def _apply(plan: Plan, text: bytes) -> dict[str, Any] | None:
    """The fields a plan places in `text` (a document of its shape); None if not sure."""
    picked: dict[str, Any] = {}
    for key, places in plan.items():
        chosen = None
        for place in places:
            if text.startswith(place.needle, place.at):
                if not place.readable:
                    return None
                chosen = place
        if chosen is None:
            continue
        if chosen.nested is not None:
            nested = _apply(chosen.nested, text)
            if nested is None:
                return None
            picked[key] = nested
            continue
        raw = text[chosen.start:chosen.stop].strip(_WS)
        if len(raw) > 10 and b"-" in raw[1:] and not raw.translate(None, _HEX_DASH):
            picked[key] = raw.decode("ascii")   # an id: see _HEX_DASH
            continue
        try:
            picked[key] = plain_scalar(text[chosen.start:chosen.stop].decode("ascii").strip())
        except NotFlow:
            return None
    return picked


class Picker:
    """``flowyaml.pick`` of one spec, fast: plans cached by shape."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.plans: dict[bytes, Plan | None] = {}

    def pick(self, value: bytes) -> dict[str, Any] | None:
        """What ``flowyaml.pick(value.decode(), spec)`` gives, or None when not sure."""
        text = value.strip(_WS)
        if text[:1] != b"{" or text[-1:] != b"}" or 0 in text or not text.isascii():
            return None
        shape = text.translate(_SHAPE)
        try:
            plan = self.plans[shape]
        except KeyError:
            if len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            plan = self.plans[shape] = plan_of(shape, self.spec)
        if plan is None:
            return None
        return _apply(plan, text)


def quick_pick(value: bytes, spec: Spec) -> dict[str, Any] | None:
    """What ``flowyaml.pick(value.decode(), spec)`` gives, or None when not sure."""
    return Picker(spec).pick(value)
