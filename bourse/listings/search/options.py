"""The category select of the search form, rendered once and reused.

The select lists every category (two levels) and marks the one asked for: on each search page
it cost a fifth of the page's work (the categories read as model instances, then ~160 Python
calls per option to render them, bench/http_load.py --profile search). The categories change
only when staff edit them, so the rendered options are kept per process, keyed on the
categories' rows themselves (one query reads them as tuples: any edit, on any process, gives a
new key), the language and the chosen slug.
"""

from __future__ import annotations

import threading

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..models import Category

# At most this many renderings kept (categories x languages x choices is far smaller).
MAX_KEPT = 512

_kept: dict[tuple, SafeString] = {}
_lock = threading.Lock()


def _label(name: str, name_en: str, language: str) -> str:
    # As Category.localized_name.
    return name_en if language.startswith("en") and name_en else name


def category_options(selected: str) -> SafeString:
    """The `<optgroup>`s and `<option>`s of the category select, `selected` marked."""
    rows = tuple(
        Category.objects.order_by(*Category._meta.ordering).values_list(
            "pk", "parent_id", "slug", "name", "name_en"
        )
    )
    language = get_language() or "fr"
    key = (rows, language, selected)
    with _lock:
        kept = _kept.get(key)
    if kept is not None:
        return kept
    parents = [
        {"slug": slug, "label": _label(name, name_en, language), "children": [], "pk": pk}
        for pk, parent_id, slug, name, name_en in rows
        if parent_id is None
    ]
    by_pk = {parent["pk"]: parent for parent in parents}
    for _pk, parent_id, slug, name, name_en in rows:
        if parent_id in by_pk:
            by_pk[parent_id]["children"].append(
                {"slug": slug, "label": _label(name, name_en, language)}
            )
    html = mark_safe(  # noqa: S308 - rendered by a template, escaped there
        render_to_string(
            "listings/_category_options.html",
            {"parents": parents, "form": {"category": selected}},
        )
    )
    with _lock:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = html
    return html
