"""The demo listings read as French: a title counting days or pallets never says "1 jours"."""

import re

from bourse.demo.catalog import CATALOG

# Nouns written in the plural right after the quantity in the catalogue's titles.
PLURAL_AFTER_QUANTITY = re.compile(
    r"\{q\} (jours|palettes|heures|semaines|places|emplacements|caisses|ordinateurs)\b"
)


def test_titles_with_a_plural_noun_after_the_quantity_never_draw_a_quantity_of_one():
    checked = 0
    for category, entries in CATALOG.items():
        for _kind, title, _description, quantity, *_rest in entries:
            if quantity and PLURAL_AFTER_QUANTITY.search(title):
                checked += 1
                assert quantity[0] >= 2, (category, title, quantity)
    assert checked >= 10
