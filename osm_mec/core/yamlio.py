"""YAML in and out. Out: the one style of every file osm-mec writes (block style, keys in
insertion order, multi-line strings as literal blocks). In: ``load_yaml``, the only way
osm-mec reads YAML it did not write itself, with limits on size, nesting depth, aliases and
nodes (counted as if every alias were expanded), so that a hostile file gives a clear
error instead of a traceback, a crash or gigabytes of memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import BadInputFile

# libyaml's parser when present; the pure-Python one otherwise. Either way the nodes are
# composed below, without recursion (libyaml's own composer recurses in C and crashes the
# process on deeply nested input).
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlInputError(BadInputFile):
    """A YAML input that is unreadable, invalid or over a limit (exit code 2)."""


@dataclass(frozen=True)
class YamlLimits:
    """What one YAML document may hold."""

    max_bytes: int = 16 * 2**20       # text size
    max_depth: int = 64               # nested mappings and sequences
    max_aliases: int = 10_000         # alias uses (*name)
    max_nodes: int = 100_000          # nodes, with every alias expanded


DEFAULT_LIMITS = YamlLimits()


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """YAML text of data in osm-mec's style."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     width=100, allow_unicode=True)


def decode_text(raw: bytes, source: str, what: str = "YAML") -> str:
    """UTF-8 text of raw, or YamlInputError naming source and the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlInputError(source, f"not UTF-8 text (byte {exc.start}); a {what} file "
                             "must be UTF-8 text, is this a binary file?") from None


def load_yaml(text: str | bytes, source: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """The one YAML document in text, built from safe tags only (YAML's safe_load).

    Raises YamlInputError naming source (and the line, when YAML knows it) when the text
    is not UTF-8, not YAML, or over one of the limits.
    """
    size = len(text)
    if size > limits.max_bytes:
        raise YamlInputError(source, f"{size} bytes of YAML, more than the limit of "
                             f"{limits.max_bytes}")
    if isinstance(text, bytes):
        text = decode_text(text, source)
    loader = SAFE_LOADER(text)
    try:
        node = _compose_single(loader, source, limits)
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml builds that bound nesting (Debian's)
            raise YamlInputError(source, f"{_where(getattr(exc, 'problem_mark', None))}YAML "
                                 f"nested more than {limits.max_depth} levels deep") from None
        raise YamlInputError(source, f"not valid YAML: {_one_line(exc, source)}") from None
    except (ValueError, OverflowError) as exc:  # e.g. a 5000-digit integer, month 13
        raise YamlInputError(source, f"a value YAML cannot represent: {exc}") from None
    except RecursionError:  # a long chain of merge keys (<<: *x)
        raise YamlInputError(source, "YAML merge keys (<<) chained too deeply") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, what: str = "YAML file",
                   limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """load_yaml of a file, never reading more than the size limit; YamlInputError naming
    the file (and what it is for) when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limits.max_bytes + 1)
    except OSError as exc:
        raise YamlInputError(str(path), f"cannot read the {what}: {exc.strerror}") from None
    return load_yaml(raw, str(path), limits)


def _one_line(exc: yaml.YAMLError, source: str) -> str:
    text = str(exc).replace('"<unicode string>"', source).replace("<unicode string>", source)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class _Budget:
    """Counts nodes (aliases expanded) and aliases against the limits."""

    def __init__(self, source: str, limits: YamlLimits) -> None:
        self.source, self.limits = source, limits
        self.nodes = self.aliases = 0

    def add(self, nodes: int, mark: Any) -> None:
        self.nodes += nodes
        if self.nodes > self.limits.max_nodes:
            bomb = " (an alias bomb?)" if self.aliases else ""
            raise YamlInputError(self.source, f"{_where(mark)}more than "
                                 f"{self.limits.max_nodes} YAML nodes, aliases counted as "
                                 f"expanded{bomb}")

    def alias(self, mark: Any) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise YamlInputError(self.source, f"{_where(mark)}more than "
                                 f"{self.limits.max_aliases} YAML aliases")


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}: " if mark is not None else ""


@dataclass
class _Open:
    """A mapping or sequence being composed: its node and its expanded size so far."""

    node: MappingNode | SequenceNode
    anchor: str | None
    size: int = 1
    key: Node | None = None


def _compose_single(loader: Any, source: str, limits: YamlLimits) -> Node | None:
    """The node graph of the stream's only document, composed iteratively."""
    loader.get_event()  # stream start
    if loader.check_event(StreamEndEvent):
        loader.get_event()
        return None
    loader.get_event()  # document start
    node = _compose_document(loader, source, limits)
    loader.get_event()  # document end
    if not loader.check_event(StreamEndEvent):
        mark = loader.peek_event().start_mark
        raise YamlInputError(source, f"{_where(mark)}more than one YAML document (---); "
                             "expected one")
    loader.get_event()
    return node


def _compose_document(loader: Any, source: str, limits: YamlLimits) -> Node:
    budget = _Budget(source, limits)
    anchors: dict[str, tuple[Node, int | None]] = {}  # size None: still open
    stack: list[_Open] = []
    root: Node | None = None
    node: Node
    size: int | None
    while root is None:
        event = loader.get_event()
        if isinstance(event, CollectionEndEvent):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            if done.anchor is not None:
                anchors[done.anchor] = (done.node, done.size)
            node, size = done.node, done.size
        elif isinstance(event, AliasEvent):
            budget.alias(event.start_mark)
            if event.anchor not in anchors:
                raise YamlInputError(source, f"{_where(event.start_mark)}alias "
                                     f"*{event.anchor} names no anchor defined before it")
            node, size = anchors[event.anchor]
            if size is None:
                raise YamlInputError(source, f"{_where(event.start_mark)}alias "
                                     f"*{event.anchor} refers to a mapping or sequence that "
                                     "contains it (recursive data is not allowed)")
            budget.add(size, event.start_mark)
        elif isinstance(event, ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            # libyaml's events carry its own Mark type, which PyYAML's stubs do not list
            node, size = ScalarNode(tag, event.value, event.start_mark,  # type: ignore[arg-type]
                                    event.end_mark,  # type: ignore[arg-type]
                                    style=event.style), 1
            budget.add(1, event.start_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            stack.append(_open(loader, event))
            if len(stack) > limits.max_depth:
                raise YamlInputError(source, f"{_where(event.start_mark)}YAML nested more "
                                     f"than {limits.max_depth} levels deep")
            budget.add(1, event.start_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (stack[-1].node, None)
            continue
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise YamlInputError(source, f"unexpected YAML event {event}")
        if not stack:
            root = node
        else:
            _attach(stack[-1], node, size)
    return root


def _open(loader: Any, event: Any) -> _Open:
    mapping = isinstance(event, MappingStartEvent)
    kind = MappingNode if mapping else SequenceNode
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
    return _Open(node, event.anchor)


def _attach(parent: _Open, node: Node, size: int) -> None:
    parent.size += size
    if isinstance(parent.node, SequenceNode):
        parent.node.value.append(node)
    elif parent.key is None:
        parent.key = node
    else:
        parent.node.value.append((parent.key, node))
        parent.key = None
