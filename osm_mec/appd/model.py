"""Loading and checking an AppD (YAML or JSON) against our schema and the semantic checks."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import jsonschema

from ..core.errors import BadInputFile, UsageError
from ..offer.validation.findings import ERROR, Finding, json_path
from ..offer.validation.package import parse_descriptor_text, read_limited
from .checks import semantic_findings
from .schema import SCHEMA


class AppdError(UsageError):
    """An AppD (or AppD package) that cannot be used (exit code 2); the message lists every
    problem as ``FILE: field.path: what to do``."""

    def __init__(self, source: str, findings: list[Finding]) -> None:
        lines = "\n".join(f"  {f.line()}" for f in findings)
        super().__init__(f"{source}: invalid AppD:\n{lines}")
        self.source, self.findings = source, findings


class _Text:
    """An attribute of the AppD read as text (a path of keys for a nested one), for
    ``AppD``'s named properties: ``appd_id = _Text("appDId")``."""

    def __init__(self, *keys: str) -> None:
        self.keys = keys

    @overload
    def __get__(self, appd: None, owner: type[Any]) -> _Text:
        ...

    @overload
    def __get__(self, appd: AppD, owner: type[Any]) -> str:
        ...

    def __get__(self, appd: AppD | None, owner: type[Any]) -> _Text | str:
        if appd is None:
            return self
        value: Any = appd.data
        for key in self.keys:
            value = value[key]
        return str(value)


@dataclass(frozen=True)
class AppD:
    """A valid AppD: its data (as given, JSON types only), where it came from, and the
    warnings about fields osm-mec cannot act on."""

    data: dict[str, Any]
    source: str = "<appd>"
    warnings: tuple[Finding, ...] = field(default=())

    appd_id = _Text("appDId")
    name = _Text("appName")
    provider = _Text("appProvider")
    soft_version = _Text("appSoftVersion")
    descriptor_version = _Text("appDVersion")
    description = _Text("appDescription")
    image = _Text("swImageDescriptor", "swImage")  # the container image reference

    def items(self, key: str) -> list[dict[str, Any]]:
        """A list-valued attribute (e.g. appTrafficRule), empty when absent."""
        return copy.deepcopy(list(self.data.get(key, [])))


def _schema_findings(data: Any, source: str) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    findings = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        where = json_path(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = ", ".join(error.schema["properties"])
            message = f"{error.message}; allowed keys: {allowed}"
        elif error.validator == "enum":
            message = f"{error.instance!r} is not allowed; use one of {error.validator_value}"
        elif error.validator == "required":
            message = f"{error.message}; add it (MEC 010-2 makes it mandatory)"
        elif error.validator == "type" and error.validator_value == "string" and \
                not isinstance(error.instance, (dict, list)):
            message = _not_text(error.instance)
        elif error.validator == "type" and where == "(top level)":
            message = "an AppD is a mapping of attributes (appDId: ..., appName: ..., ...)"
        else:
            message = error.message
        findings.append(Finding(source, where, message))
    return findings


def _not_text(value: Any) -> str:
    """What to do when YAML read a value as a number, date, boolean or null, not as text."""
    if value is None:
        return "has no value; give one (text)"
    return (f"{value} is read as a {type(value).__name__}, not as text; put it in quotes "
            f"('{value}') so that YAML reads it as text")


def check_appd_data(data: Any, source: str = "<appd>") -> list[Finding]:
    """Every problem of parsed AppD data: schema errors first; when there are none, the
    semantic errors and the warnings."""
    findings = _schema_findings(data, source)
    if findings:
        return findings
    return semantic_findings(data, source)


def appd_from_data(data: Any, source: str = "<appd>") -> AppD:
    """An AppD from parsed data; AppdError listing every error otherwise."""
    findings = check_appd_data(data, source)
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        raise AppdError(source, errors)
    return AppD(copy.deepcopy(data), source, tuple(f for f in findings if f not in errors))


def parse_appd(raw: bytes, source: str) -> Any:
    """The parsed AppD text (JSON when source ends with .json, YAML otherwise; both through
    the safe YAML limits); BadInputFile naming source when it does not parse."""
    return parse_descriptor_text(raw, source)


def read_appd_source(source: str | Path | bytes, label: str | None = None
                     ) -> tuple[bytes, str]:
    """The bytes of an AppD given as a path or as bytes, and how to name it."""
    if isinstance(source, bytes):
        return source, label or "<appd>"
    path = Path(source)
    if path.is_dir():
        raise BadInputFile(str(path), "a folder; give an AppD file (.yaml, .yml, .json) or "
                           "an AppD package (.zip, .csar, .tar.gz)")
    if not path.exists():
        raise BadInputFile(str(path), "no such file")
    return read_limited(path), label or str(path)


def load_appd(source: str | Path | bytes, label: str | None = None) -> AppD:
    """A checked AppD from a YAML/JSON file path or its bytes (label names it in errors;
    a label ending in .json reads JSON). AppdError or BadInputFile (both exit 2) otherwise."""
    raw, name = read_appd_source(source, label)
    return appd_from_data(parse_appd(raw, name), name)
