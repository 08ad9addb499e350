"""What the accessibility browser tests share: a small world with every role's pages, a browser
context per persona, axe-core run under the page's own Content-Security-Policy, and screenshots.

axe-core is vendored (frontend/vendor/axe-core/, scripts/vendor_frontend.py). Playwright's
`add_script_tag(path=...)` would insert it as an inline script, which the site's CSP
(`script-src 'self'`) refuses. The context instead answers one same-origin URL with the vendored
file (`context.route`), and the page loads it as a script of its own origin: the page keeps its
real policy, so axe sees exactly what a visitor sees (no style or script the CSP would block).
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.test import Client
from django.utils import timezone

from bourse.listings.models import Category
from bourse.moderation.crises import crisis_open
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__a11y__/axe.min.js"  # answered by the browser context, never by the site

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}

# What the check fails on: WCAG 2.1 A/AA rules (and axe's best practices) of these impacts, and
# these rules whatever their impact (a heading level skipped misleads who navigates by headings).
FAILING_IMPACTS = ("serious", "critical")
FAILING_RULES = ("heading-order",)
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    # Experimental in axe 4.10, so off by default: a control whose visible text is not part of
    # its accessible name (WCAG 2.5.3), e.g. a link named "Notifications" showing "3".
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}


@dataclass
class World:
    """The people and objects the pages are about."""

    member: object  # a member of a verified company in Lyon, with listings and a conversation
    waiting: object  # a member of a company waiting for the CCI's verification
    moderator: object  # moderator of Rhône and Loire, with work in each queue
    offer: object  # another company's published offer (detail page)
    conversation: object


def build_world() -> World:
    """Three companies around Lyon with listings in the seeded categories (the screenshots show
    them), a suggestion, a conversation, a notification; a moderator with a company and a
    listing to check (its company's member waits), a report to handle, and a crisis open in
    Rhône (its banner shows on the Lyon company's pages)."""
    category = {c.slug: c for c in Category.objects.all()}
    company = factories.CompanyFactory(name="Transports Martin")
    member = factories.MembershipFactory(
        company=company, user__first_name="Claire", user__last_name="Martin"
    ).user
    partner = factories.CompanyFactory(name="Menuiserie Durand", postal_code="42000")
    partner_member = factories.MembershipFactory(
        company=partner, user__first_name="Julien", user__last_name="Durand"
    ).user
    third = factories.CompanyFactory(name="Emballages du Rhône", postal_code="69100")
    need = factories.ListingFactory(
        company=company,
        kind="need",
        category=category["entrepot-sec"],
        title="Recherche entrepôt pour 40 palettes",
        description="Besoin de 200 m² avec quai de chargement, trois mois.",
    )
    offer = factories.ListingFactory(
        company=partner,
        category=category["entrepot-sec"],
        title="Entrepôt sec de 300 m² disponible",
        description="Quai de chargement, accès poids lourds, gardiennage.",
    )
    for owner, kind, slug, title in [
        (partner, "offer", "manutention", "Chariot élévateur 2,5 t à prêter le samedi"),
        (third, "need", "emballage", "Cartons double cannelure, 8 500 pièces"),
        (third, "offer", "froid", "Chambre froide positive de 40 m³"),
        (company, "offer", "pret-personnel", "Deux caristes disponibles en janvier"),
    ]:
        factories.ListingFactory(company=owner, kind=kind, category=category[slug], title=title)
    factories.ListingFactory(company=company, status="draft", title="Hayon élévateur")
    factories.MatchFactory(listing_a=need, listing_b=offer)
    conversation = factories.ConversationFactory(
        listing=offer, owner_company=partner, other_company=company
    )
    for sender, body in [
        (member, "Bonjour, votre entrepôt est-il libre pour 40 palettes à partir de janvier ?"),
        (partner_member, "Oui, à partir du 5 janvier. Vous pouvez passer le visiter lundi."),
    ]:
        factories.MessageFactory(
            conversation=conversation, company=sender.membership.company, sender=sender, body=body
        )
    factories.NotificationFactory(company=company, title="Votre annonce est publiée")

    moderator = factories.ModeratorFactory(
        departements=["69", "42"], user__first_name="Paul", user__last_name="Bernard"
    ).user
    waiting = factories.MembershipFactory(
        company=factories.CompanyFactory(status="pending", name="Atelier Nouveau"),
        user__first_name="Inès",
        user__last_name="Roux",
    ).user
    factories.ListingFactory(
        company=partner, status="pending", category=category["bois"], title="Chutes de chêne"
    )
    factories.ReportFactory(target_id=partner.pk, reporter_company=company, reporter=member)
    crisis_open(
        by=moderator,
        moderator=moderator.moderator,
        title="Inondations dans le Rhône",
        message="Entreprises sinistrées : stockage et matériel de pompage recherchés en priorité.",
        departements=["69"],
        starts_at=timezone.now(),
        priority_categories=["entrepot-sec"],
    )
    return World(
        member=member,
        waiting=waiting,
        moderator=moderator,
        offer=offer,
        conversation=conversation,
    )


def new_context(browser, base_url: str, user=None):
    """A French browser context, logged in as `user` (a session cookie) or anonymous; the map
    tiles (outside the site) answer nothing, and AXE_PATH answers the vendored axe-core."""
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.route("https://**/*", lambda route: route.fulfill(status=204, body=""))
    context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(path=AXE, content_type="application/javascript"),
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
        )
    return context


def axe_violations(page, base_url: str) -> list[dict]:
    """The failing axe-core violations of the page once loaded (scripts deferred included)."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base_url + AXE_PATH)
    results = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    return [
        violation
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS or violation["id"] in FAILING_RULES
    ]


def describe(violations: list[dict]) -> str:
    """Rule, impact, help and each failing target, one line per node."""
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    - {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


DANGLING = """() => {
  // Ids that ARIA attributes and labels name but the page lacks: a help text or a label that
  // screen readers never read (axe accepts a list of which one id exists).
  const missing = [];
  const attributes = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"];
  for (const attr of attributes) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${attr}="${id}"`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) missing.push(`label for="${label.htmlFor}"`);
  }
  return missing;
}"""


def dangling_references(page) -> list[str]:
    """The ids named by aria-describedby, aria-labelledby, aria-controls, aria-errormessage or a
    label's `for` that no element of the page has."""
    return page.evaluate(DANGLING)


WIDEST = """() => {
  const root = document.scrollingElement;
  const overflow = root.scrollWidth - root.clientWidth;
  if (overflow <= 0) return [0, []];
  // The outermost elements that stick out on the right, to name in the failure.
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= root.clientWidth + 0.5) continue;
    if (out.some(o => o.contains(el))) continue;
    out.push(el);
  }
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string"
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  return [overflow, out.slice(0, 5).map(el => {
    let path = [], node = el;
    while (node && node !== document.body && path.length < 4) {
      path.unshift(name(node));
      node = node.parentElement;
    }
    return path.join(" > ") + " (right " + Math.round(el.getBoundingClientRect().right) + ")";
  })];
}"""


def sideways_overflow(page) -> tuple[int, list[str]]:
    """How many CSS pixels the page scrolls sideways (0 when it fits the viewport), and the
    elements that stick out."""
    return tuple(page.evaluate(WIDEST))


# Colour helpers shared by the checks below: a computed colour as numbers, the background
# painted behind a node (its own or its nearest ancestor's, white at the top), WCAG's contrast.
COLOURS = """
  const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const backgroundOf = start => {
    for (let node = start; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] >= 0.5)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const contrast = (one, two) => {
    const [a, b] = [luminance(one), luminance(two)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "")
    + ` "${(el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
"""

FOCUS_RING = (
    """() => {"""
    + COLOURS
    + """
  // The focused element's ring: style, width, and its contrast with what lies around it (the
  // background of the nearest painted ancestor: the ring is drawn outside the element).
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Focus inside a control's own parts (a date field's calendar button): the browser draws
  // that ring itself, and the element does not match :focus.
  if (!el.matches(":focus")) return null;
  const style = getComputedStyle(el);
  const behind = backgroundOf(parseFloat(style.outlineOffset) >= 0 ? el.parentElement : el);
  return {
    name: describe(el),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    contrast: contrast(rgb(style.outlineColor), behind),
  };
}"""
)

SHORT_TEXT = (
    """() => {"""
    + COLOURS
    + """
  // Visible texts of one to three characters (counters, badges): axe-core leaves their contrast
  // to a person ("too short to determine if it is actual text"). 4.5:1, or 3:1 when large.
  const faults = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const value = text.nodeValue.trim();
    const el = text.parentElement;
    if (!value || value.length > 3 || !el || !el.checkVisibility()) continue;
    if (el.closest("[aria-hidden=true], script, style, option")) continue;
    if (el.textContent.trim() !== value) continue;  // part of a longer text: axe measures it
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    const ratio = contrast(rgb(style.color).slice(0, 3), backgroundOf(el));
    if (ratio < (large ? 3 : 4.5)) faults.push(`${describe(el)}: ${ratio.toFixed(2)}:1`);
  }
  return faults;
}"""
)


def short_text_contrast(page) -> list[str]:
    """The short texts (badges, counters) whose contrast with their background is too low."""
    return page.evaluate(SHORT_TEXT)


def focus_ring_fault(page) -> str | None:
    """What is wrong with the focused element's ring (None when it is a solid line of 2 px or
    more contrasting 3:1 with the background around it, WCAG 1.4.11 and 2.4.7)."""
    ring = page.evaluate(FOCUS_RING)
    if ring is None:
        return None
    if ring["style"] in ("none", "hidden") or ring["width"] < 2:
        return f"{ring['name']}: outline {ring['style']} {ring['width']}px"
    if ring["contrast"] < 3:
        return f"{ring['name']}: ring contrast {ring['contrast']:.2f}:1"
    return None


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, limit: int = 80, faults: list | None = None) -> int:
    """Presses Tab until the element matching `selector` has the focus (fails after `limit`
    presses); with `faults`, collects the ring faults of every element passed on the way.
    Returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if faults is not None:
            fault = focus_ring_fault(page)
            if fault and fault not in faults:
                faults.append(fault)
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def screenshot(page, name: str) -> None:
    """Saves the page in $SCREENSHOTS_DIR (nothing when it is unset)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
