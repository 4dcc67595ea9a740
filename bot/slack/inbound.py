"""Text as Slack sends it, turned back into what the user typed."""

from __future__ import annotations

import re

_ENTITY = re.compile(r"<([^<>]*)>")


def decode(text: str, *, drop_user: str | None = None) -> str:
    """Plain text from Slack's: users and channels become their names, links their address (a link's
    label is display text, not words the user asked about), mentions of `drop_user` and broadcasts go.

    Slack escapes `&`, `<` and `>` and wraps users, channels, links and broadcasts in `<…>`:
    `<@U123|ann>`, `<#C1|general>`, `<https://x.y|label>`, `<!channel>`, `<!subteam^S1|@team>`.
    """

    def label(match: re.Match[str]) -> str:
        target, _, name = match.group(1).partition("|")
        if target.startswith("@"):
            return "" if target[1:] == drop_user or not name else f"@{name}"
        if target.startswith("#"):
            return f"#{name}" if name else ""
        if target.startswith("!"):
            # Broadcasts (@channel, @here, @everyone) and user groups carry no words worth searching.
            return name if target.startswith("!date") else ""
        if target.startswith("mailto:"):
            return target.removeprefix("mailto:")
        return target

    plain = _ENTITY.sub(label, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
