"""Command-line parsing the way cobra/pflag parse kubeadm's and kubectl's arguments.

Both tools are cobra programs: flags may come before or after positional arguments, a long
flag takes its value as `--name=value` or `--name value`, a boolean flag takes no value
(or `--name=true|false`), a shorthand takes `-n value`, `-nvalue` or `-n=value`, and `--`
ends the flags. The errors below are pflag's own wording:
  unknown flag: --x                      unknown shorthand flag: 'x' in -x
  flag needs an argument: --x            flag needs an argument: 'x' in -x
  invalid argument "v" for "--x" flag: time: invalid duration "v"
  invalid argument "v" for "--x" flag: strconv.ParseBool: parsing "v": invalid syntax
(github.com/spf13/pflag flag.go; kubectl's "See '<command> --help' for usage." suffix is
added by the caller, see k8s_model.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STRING, BOOL, DURATION, INT = "string", "bool", "duration", "int"
# Go's time.ParseDuration: "0" or one or more <number><unit>
_GO_DURATION = re.compile(r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$")


class FlagError(Exception):
    """The command line is wrong (pflag's message)."""


@dataclass(frozen=True)
class Flag:
    """One flag: its long name (without --), kind and optional one-letter shorthand."""

    name: str
    kind: str = STRING
    short: str = ""


@dataclass
class Parsed:
    """Positional arguments and the flags given (value as typed; True for a bare bool)."""

    args: list[str] = field(default_factory=list)
    flags: dict[str, str | bool] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.flags

    def value(self, name: str, default: str = "") -> str:
        value = self.flags.get(name, default)
        return value if isinstance(value, str) else str(value).lower()

    def true(self, name: str) -> bool:
        """A boolean flag's value (bare flag, or =true)."""
        value = self.flags.get(name, False)
        return value is True or (isinstance(value, str) and _parse_bool(value))


def flags(*specs: str) -> dict[str, Flag]:
    """Flag table from compact specs: "name", "name:bool", "name:duration", "n|name:int"."""
    table: dict[str, Flag] = {}
    for spec in specs:
        names, _, kind = spec.partition(":")
        short, _, long = names.rpartition("|")
        table[long] = Flag(long, kind or STRING, short)
    return table


def _parse_bool(value: str) -> bool:
    if value in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def _duration_error(value: str) -> str:
    """Go's time.ParseDuration error for a value it refuses."""
    if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", value):
        return f'time: missing unit in duration "{value}"'
    unit = re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)([^\d.]+)", value)
    if unit:
        return f'time: unknown unit "{unit.group(1)}" in duration "{value}"'
    return f'time: invalid duration "{value}"'


def _check_value(flag: Flag, value: str, shown: str) -> str:
    try:
        if flag.kind == BOOL:
            _parse_bool(value)
        elif flag.kind == DURATION and not _GO_DURATION.match(value):
            raise ValueError(_duration_error(value))
        elif flag.kind == INT and not re.fullmatch(r"[-+]?\d+", value):
            raise ValueError(f'strconv.ParseInt: parsing "{value}": invalid syntax')
    except ValueError as exc:
        raise FlagError(f'invalid argument "{value}" for "{shown}" flag: {exc}') from None
    return value


def parse(argv: list[str], table: dict[str, Flag]) -> Parsed:
    """Split argv into flags (checked against table) and positional arguments."""
    shorts = {f.short: f for f in table.values() if f.short}
    parsed, index = Parsed(), 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            parsed.args += argv[index:]
            break
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            has_value = bool(equals)
            if name not in table:
                raise FlagError(f"unknown flag: --{name}")
            flag, shown = table[name], f"--{name}"
        elif arg.startswith("-") and arg != "-":
            letter, rest = arg[1], arg[2:]
            if letter not in shorts:
                raise FlagError(f"unknown shorthand flag: '{letter}' in {arg}")
            flag, shown = shorts[letter], f"-{letter}, --{shorts[letter].name}"
            has_value, value = (bool(rest), rest[1:] if rest.startswith("=") else rest)
        else:
            parsed.args.append(arg)
            continue
        if flag.kind == BOOL:
            parsed.flags[flag.name] = _check_value(flag, value, shown) if has_value else True
            continue
        if not has_value:
            if index >= len(argv):
                where = f"--{flag.name}" if arg.startswith("--") else f"'{arg[1]}' in {arg}"
                raise FlagError(f"flag needs an argument: {where}")
            value = argv[index]
            index += 1
        parsed.flags[flag.name] = _check_value(flag, value, shown)
    return parsed
