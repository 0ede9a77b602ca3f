"""Field types the MEC APIs share (the MEP's Mp1, the facade's MEC 010-2): bounded text and
URIs checked against a rule. Each API names the rule it follows: the facade calls back only
over http(s); Mp1's OpenAPI ``format: uri`` takes any scheme.

This module imports pydantic: only the MEP and the facade use it (their install extras bring
pydantic), no other module of ``core`` imports it, so the core install works without it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

# Field length limits: generous for real applications, small enough for storage and logs.
Text = Annotated[str, Field(max_length=256)]
LongText = Annotated[str, Field(max_length=1024)]
URI_MAX_LENGTH = 2048

HTTP_URI = re.compile(r"^https?://[^\s/?#]+[^\s\x00-\x1f\x7f]*$")
ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+$")


def matching(rule: re.Pattern[str], refusal: str) -> Callable[[str], str]:
    """A validator passing a value that matches ``rule``; ValueError(refusal) otherwise."""

    def check(value: str) -> str:
        if not rule.match(value):
            raise ValueError(refusal)
        return value

    return check


# an absolute http:// or https:// URI (where the facade sends notifications)
HttpUri = Annotated[str, Field(max_length=URI_MAX_LENGTH), AfterValidator(
    matching(HTTP_URI, "must be an absolute http:// or https:// URI"))]
# OpenAPI `format: uri`: an absolute URI (RFC 3986), with a scheme
AbsoluteUri = Annotated[str, Field(max_length=URI_MAX_LENGTH), AfterValidator(
    matching(ABSOLUTE_URI, "must be an absolute URI with a scheme (like http://host/path)"))]
