"""Loading and checking an AppD (YAML or JSON) against our schema and the semantic checks."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class AppD:
    """A valid AppD: its data (as given, JSON types only), where it came from, and the
    warnings about fields osm-mec cannot act on."""

    data: dict[str, Any]
    source: str = "<appd>"
    warnings: tuple[Finding, ...] = field(default=())

    @property
    def appd_id(self) -> str:
        return str(self.data["appDId"])

    @property
    def name(self) -> str:
        return str(self.data["appName"])

    @property
    def provider(self) -> str:
        return str(self.data["appProvider"])

    @property
    def soft_version(self) -> str:
        return str(self.data["appSoftVersion"])

    @property
    def descriptor_version(self) -> str:
        return str(self.data["appDVersion"])

    @property
    def description(self) -> str:
        return str(self.data["appDescription"])

    @property
    def image(self) -> str:
        """The container image reference (swImageDescriptor.swImage)."""
        return str(self.data["swImageDescriptor"]["swImage"])

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
