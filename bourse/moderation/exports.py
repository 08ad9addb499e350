"""CSV exports of the moderation API (`?format=csv`): the statistics, the territory's listings and
the audit log, as a spreadsheet opens them (UTF-8 with BOM, comma separated).

A cell a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) is written with a leading apostrophe, so a listing title or a reason typed by someone
can never run as a formula on the director's computer.
"""

import csv
import io

from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The audit log and listings are exported whole (filters apply), up to this many rows.
MAX_ROWS = 50_000


def cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return "\ufeff" + out.getvalue()


class CSVRenderer(BaseRenderer):
    """Renders a list of rows, the first one the header (errors are answered in JSON: the
    views' handle_exception picks the JSON renderer for them)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return to_csv(data or []).encode(self.charset)


def stats_rows(figures: dict) -> list[list]:
    """The statistics as blocks of rows, one per table, separated by an empty row."""
    rows: list[list] = [["figure", "value"]]
    for key in (
        "conversations",
        "messages",
        "fulfilled",
        "median_hours_to_first_contact",
        "median_days_to_first_contact",
    ):
        rows.append([key, figures[key]])
    rows.append(["deals", figures["deals"]])
    rows.append(["deals_reported", figures["deals_reported"]])
    for answer, n in figures["follow_ups"].items():
        rows.append([f"follow_ups.{answer}", n])
    rows.append(["needs_answered", figures["needs"]["answered"]])
    rows.append(["needs_unanswered", figures["needs"]["unanswered"]])
    for group in ("companies", "listings"):
        for status, n in sorted(figures[group].items()):
            rows.append([f"{group}.{status}", n])
    weekly_fields = ["week", "companies_verified", "offers", "needs", "conversations", "deals"]
    rows += [[], weekly_fields]
    rows += [[week[name] for name in weekly_fields] for week in figures["weekly"]]
    rows += [[], ["category", "offers", "needs"]]
    rows += [[c["category"], c["offers"], c["needs"]] for c in figures["by_category"]]
    rows += [[], ["postal_code", "commune", "listings", "conversations"]]
    rows += [
        [c["postal_code"], c["commune"], c["listings"], c["conversations"]]
        for c in figures["by_commune"]
    ]
    return rows


LISTING_FIELDS = [
    "id",
    "kind",
    "status",
    "title",
    "category",
    "company_id",
    "company",
    "postal_code",
    "commune",
    "departement",
    "quantity",
    "unit",
    "created_at",
    "published_at",
    "expires_at",
    "closed_at",
]


def listing_rows(listings) -> list[list]:
    rows = [LISTING_FIELDS]
    for listing in listings[:MAX_ROWS]:
        rows.append(
            [
                listing.pk,
                listing.kind,
                listing.status,
                listing.title,
                listing.category.slug,
                listing.company_id,
                listing.company.name,
                listing.postal_code,
                listing.commune,
                listing.departement,
                listing.quantity,
                listing.unit,
                _iso(listing.created_at),
                _iso(listing.published_at),
                _iso(listing.expires_at),
                _iso(listing.closed_at),
            ]
        )
    return rows


LOG_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_email",
    "action",
    "target_type",
    "target_id",
    "departement",
    "reason",
]


def log_rows(entries) -> list[list]:
    rows = [LOG_FIELDS]
    for entry in entries[:MAX_ROWS]:
        rows.append(
            [
                entry.pk,
                _iso(entry.created_at),
                entry.actor_id,
                entry.actor_email,
                entry.action,
                entry.target_type,
                entry.target_id,
                entry.departement,
                entry.reason,
            ]
        )
    return rows


def _iso(value) -> str:
    return value.isoformat() if value else ""
