"""The lists of the search form (categories, départements, radii), rendered once and reused.

The category select lists every category (two levels), the département select the hundred-odd
départements; both mark the one asked for. Rendered on every search page they were a third of
its work (~160 Python calls per option, bench/http_load.py --profile search), for HTML that
changes only when staff edit the categories. They are kept per process (bourse.core.fragments):
the categories keyed on their rows themselves, read as tuples in one statement (any edit, on
any process, gives a new key), the language and the chosen slug; the départements (a table
shipped with the code) on the chosen code. A value that names no category or département is
kept as "none chosen", so made-up values cannot fill the memo.
"""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from bourse.core.fragments import RenderedMemo
from bourse.geo import data as geo

from ..models import Category

_categories = RenderedMemo("search form: categories")
_departements = RenderedMemo("search form: départements")
_radii = RenderedMemo("search form: radii")


def _label(name: str, name_en: str, language: str) -> str:
    # As Category.localized_name.
    return name_en if language.startswith("en") and name_en else name


_statements: dict[str, tuple[str, tuple]] = {}


def _category_rows() -> tuple[tuple, ...]:
    """(pk, parent_id, slug, name, name_en) of every category, in display order: the ORM's
    statement, compiled once per kind of database and then run as it is (compiling it cost
    more than the database running it)."""
    statement = _statements.get(connection.vendor)
    if statement is None:
        query = Category.objects.order_by(*Category._meta.ordering).values_list(
            "pk", "parent_id", "slug", "name", "name_en"
        )
        statement = _statements[connection.vendor] = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return tuple(cursor.fetchall())


def category_options(selected: str) -> SafeString:
    """The `<optgroup>`s and `<option>`s of the category select, `selected` marked."""
    rows = _category_rows()
    if selected not in {slug for _pk, _parent, slug, _name, _name_en in rows}:
        selected = ""
    language = get_language() or "fr"
    return _categories.get(
        (rows, language, selected), lambda: _render_categories(rows, language, selected)
    )


def _render_categories(rows: tuple, language: str, selected: str) -> SafeString:
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
    return mark_safe(  # noqa: S308 - rendered by a template, escaped there
        render_to_string(
            "listings/_category_options.html",
            {"parents": parents, "form": {"category": selected}},
        )
    )


def departement_options(selected: str) -> SafeString:
    """The `<option>`s of the département select ("69 – Rhône"), by code, `selected` marked."""
    departements = geo.departements()
    if selected not in departements:
        selected = ""
    return _departements.get(
        selected,
        lambda: mark_safe(  # noqa: S308 - rendered by a template, escaped there
            render_to_string(
                "listings/_departement_options.html",
                {
                    "departements": sorted(departements.values(), key=lambda d: d.code),
                    "selected": selected,
                },
            )
        ),
    )


def radius_options(radii: list[float], selected: str) -> SafeString:
    """The `<option>`s of the radius select ("50 km"), `selected` ("50", as the form keeps it)
    marked. The choices are the usual ones plus a valid radius asked for (search_form), so the
    kept lists are few; a least recently used one goes first."""
    language = get_language() or "fr"
    return _radii.get(
        (language, tuple(radii), selected),
        lambda: mark_safe(  # noqa: S308 - rendered by a template, escaped there
            render_to_string(
                "listings/_radius_options.html",
                {"radius_choices": [(f"{km:g}", km) for km in radii], "selected": selected},
            )
        ),
    )


def forget() -> None:
    """Drop this process's kept lists (tests)."""
    _categories.clear()
    _departements.clear()
    _radii.clear()
