"""Texts built in the reader's language when they are read, not when they are written.

A notification (and its e-mail) stores what is needed to write its title and body — the French
source text (the catalogue's msgid, marked with `gettext_noop` where it is written) and its
parameters — and `render` writes it in the language active at display time: the page's or the
API caller's, or the recipient's when the outbox renders the e-mail. Parameters are data (names,
titles, numbers, dates already formatted); a text stored as plain text (rows from before) is
shown as it is.

    title=text(gettext_noop("Annonce publiée : %(title)s"), title=listing.title)
    title=plural(gettext_noop("…%(names)s"), gettext_noop("…%(names)s"), len(hits), names=…)
"""

from __future__ import annotations

from django.utils.translation import gettext, ngettext


def text(msgid: str, /, **params) -> dict:
    """A text to write later: `msgid` % `params`, translated then."""
    return {"msgid": str(msgid), "params": params}


def plural(singular: str, plural_: str, count: int, /, **params) -> dict:
    """A text whose form depends on `count` (also available to it as `%(count)s`)."""
    return {
        "msgid": str(singular),
        "plural": str(plural_),
        "count": int(count),
        "params": {"count": int(count), **params},
    }


def render(spec, fallback: str = "") -> str:
    """The text in the active language; `fallback` when there is no stored text."""
    if not isinstance(spec, dict) or "msgid" not in spec:
        return fallback if spec in (None, "", {}) else str(spec)
    if "plural" in spec:
        count = spec.get("count", 1)
        template = ngettext(spec["msgid"], spec["plural"], count)
        if template in (spec["msgid"], spec["plural"]):
            # No plural entry in the catalogue (`gettext_noop` marks the two forms as two
            # entries): the form chosen, translated on its own.
            template = gettext(template)
    else:
        template = gettext(spec["msgid"])
    params = spec.get("params") or {}
    try:
        return template % params if params else template.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        # A translation that does not fit its parameters: the source text does.
        return spec["msgid"] % params if params else spec["msgid"]
