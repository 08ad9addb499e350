"""`{% kept value ... %}…{% endkept %}`: a piece of a template rendered once per process for each
set of values, then served as it was (bourse.core.fragments).

For the parts of the layout every visitor of a kind sees the same, page after page: the header
and footer of an anonymous visitor differ only by language, yet they were re-rendered on each
page (a tenth of a search page's Python time, bench/http_load.py). The values named after
`kept` are the key, with the tag itself: the block must show nothing else
than what they decide. Never put in it what differs per request or per person (a CSRF token,
the request's path, a name, a count): a test renders each kept block with the memo on and off
(tests/core/test_kept.py).
"""

from __future__ import annotations

import itertools

from django import template
from django.urls import get_script_prefix, get_urlconf

from bourse.core.fragments import RenderedMemo

register = template.Library()

_pieces = RenderedMemo("kept template pieces")
# Each parsed tag's own number, part of its key: two tags never share pieces, even on one line of
# one template (a token's position is only known with template debugging on). A template parsed
# again (no cached loader, as with DEBUG) gets new numbers, never one of another tag.
_places = itertools.count()


class KeptNode(template.Node):
    def __init__(self, nodelist, values, place):
        self.nodelist = nodelist
        self.values = values
        self.place = place

    def render(self, context):
        # Links inside follow the URL conf and the prefix the site is served under.
        values = (value.resolve(context) for value in self.values)
        key = (self.place, get_urlconf(), get_script_prefix(), *values)
        return _pieces.get(key, lambda: self.nodelist.render(context))


@register.tag("kept")
def kept(parser, token):
    """{% kept LANGUAGE_CODE %}…{% endkept %} (see the module)."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("'kept' needs at least one value to key on")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, [parser.compile_filter(bit) for bit in bits], next(_places))


def forget() -> None:
    """Drop this process's kept pieces (tests)."""
    _pieces.clear()
