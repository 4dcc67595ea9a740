"""Reading a domain file: TOML, validated, an error naming the file and line; and the shipped one."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from bot.domain.models import Domain
from bot.errors import DomainError

SHIPPED_DOMAIN = Path(__file__).with_name("ukraine.toml")


def load_domain(path: Path) -> Domain:
    """The domain described by the TOML file at `path`; DomainError names the line of a mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(f"{path}: cannot read the domain file ({exc.__class__.__name__})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Domain.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the file"
        line = _line_of(text, problem["loc"])
        at = f", line {line}" if line else ""
        raise DomainError(f"{path}{at}: {where}: {problem['msg']}") from exc


@cache
def shipped_domain() -> Domain:
    """The domain file that ships with Citebot (the Ukraine shelf)."""
    return load_domain(SHIPPED_DOMAIN)


_HEADER = re.compile(r"^\s*\[\[?\s*([\w.-]+)\s*\]\]?\s*(?:#.*)?$")


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the TOML text that a validation error's location points at, if found."""
    lines = text.splitlines()
    table: list[str] = []
    at = 0
    parts = list(loc)
    for i, part in enumerate(parts):
        if isinstance(part, int):
            continue
        following = parts[i + 1] if i + 1 < len(parts) else None
        name = ".".join([*table, part])
        if isinstance(following, int):
            # An array of tables: the (following+1)-th header of that name from here on.
            seen = -1
            for number in range(at, len(lines)):
                header = _HEADER.match(lines[number])
                if header is not None and header[1] == name:
                    seen += 1
                    if seen == following:
                        at = number
                        break
            else:
                return None
            table.append(part)
            continue
        key = re.compile(rf"^\s*{re.escape(str(part))}\s*=")
        for number in range(at, len(lines)):
            header = _HEADER.match(lines[number])
            if key.match(lines[number]) or (header is not None and header[1] == name):
                at = number
                break
        else:
            return at + 1 if at else None
        table.append(part)
    return at + 1
