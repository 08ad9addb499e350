"""The authorization matrix: every URL of the project × method × persona → expected outcome.

ONE LINE PER URL NAME AND METHOD. A URL added to the URL conf without its row here fails
`test_every_url_has_a_row`; the row is checked for the ten personas by
`test_authorization_matrix` (tests/security/test_authorization_matrix.py).

Columns (see tests/security/world.py):
    anon  pending  member  other  admin  suspended  mod  mod_far  national  staff

Outcomes:
    ok    authorization passed: 2xx, 3xx other than to the login page, or 400 (the matrix sends
          empty bodies unless the row gives one: a 400 means the caller was let in and the
          input checked)
    400   exactly 400, where the row's body is valid and only the business rule refuses
    503   the outside service behind the URL is unreachable (tests reach no outside world)
    auth  not logged in: 401/403 from the API, a redirect to the login page from a page
    403   refused, the object being known to the caller
    404   the caller may not know the object exists (guessing an id gives nothing)

`ids` tells which object of the world each URL parameter names (world.build()).
"""

# Shorthands for the common rows.
PUBLIC = "ok ok ok ok ok ok ok ok ok ok"
LOGGED_IN = "auth ok ok ok ok ok ok ok ok ok"
# A write for members of a verified company (pending, suspended, moderators and staff without a
# company are refused).
VERIFIED = "auth 403 ok ok ok 403 403 403 403 403"
# Alpha's own object, editable by its members: others must not even learn it exists.
ALPHA = "auth 404 ok 404 ok 404 404 404 404 404"
ALPHA_ADMIN = "auth 404 403 404 ok 404 404 404 404 404"
# Moderation: moderators of the object's territory and national ones.
MODERATION_LIST = "auth 403 403 403 403 403 ok ok ok 403"
MODERATION_OBJECT = "auth 403 403 403 403 403 ok 404 ok 403"
# Pages: the same, with the login redirect for anon.
PAGE_LOGGED_IN = LOGGED_IN
PAGE_MODERATION = "auth 403 403 403 403 403 ok ok ok 403"
# Alpha's published listing: everyone knows it exists, only Alpha's members may act on it.
ALPHA_PUBLISHED = "auth 403 ok 403 ok 403 403 403 403 403"
# Alpha's member row: the admin acts on it, the member may leave.
ALPHA_MEMBER_LEAVES = "auth 404 ok 404 ok 404 404 404 404 404"
# For the caller's own company: moderators and staff have none.
COMPANY = "auth ok ok ok ok ok 403 403 403 403"
COMPANY_PAGE = "auth ok ok ok ok ok 404 404 404 404"
OWN_ADMIN = "auth ok 403 ok ok ok 404 404 404 404"

# name: ({url parameter: world id}, {method: outcomes}[, body]); in a body, "@key" is the
# world's id for that key. Without a body, writes send an empty one.
ROWS: dict[str, tuple] = {
    # --- Site ----------------------------------------------------------------------------
    "home": ({}, {"GET": PUBLIC}),
    "healthz": ({}, {"GET": PUBLIC}),
    "privacy": ({}, {"GET": PUBLIC}),
    "accessibility": ({}, {"GET": PUBLIC}),
    "terms": ({}, {"GET": PUBLIC}),
    # --- Accounts API ----------------------------------------------------------------------
    # DELETE asks every caller for the password again first (401 with allauth's reauthenticate
    # flow, which the matrix's sessions have not done; tests/accounts/test_reauthentication.py).
    "api-me": ({}, {"GET": LOGGED_IN, "PATCH": LOGGED_IN, "DELETE": "auth " * 9 + "auth"}),
    "api-me-export": ({}, {"GET": LOGGED_IN}),
    "api-me-preferences": ({}, {"GET": LOGGED_IN, "PATCH": LOGGED_IN}),
    "api-companies": ({}, {"GET": PUBLIC, "POST": LOGGED_IN}),
    "api-company": (
        {"pk": "company"},
        {"GET": PUBLIC, "PATCH": "auth 403 403 403 ok 403 403 403 403 403"},
    ),
    "api-company-members": (
        {"pk": "company"},
        {"GET": "auth 403 ok 403 ok 403 ok 403 ok 403"},
    ),
    "api-company-member": (
        {"pk": "company", "member_pk": "membership"},
        {
            "PATCH": "auth 403 403 403 ok 403 403 403 403 403",
            "DELETE": "auth 403 ok 403 ok 403 403 403 403 403",  # a member may leave
        },
    ),
    "api-company-invitations": (
        {"pk": "company"},
        {
            "GET": "auth 403 403 403 ok 403 403 403 403 403",
            "POST": "auth 403 403 403 ok 403 403 403 403 403",
        },
    ),
    "api-company-invitation": (
        {"pk": "company", "invitation_pk": "invitation"},
        {"DELETE": "auth 403 403 403 ok 403 403 403 403 403"},
    ),
    "api-invitations": ({}, {"GET": LOGGED_IN}),
    "api-invitation-accept": (
        {"token": "token"},
        {"POST": "auth 404 404 404 404 404 404 404 404 404"},
    ),
    # The registry is the outside world, unreachable in tests: 503 once the caller is let in.
    "api-siret-lookup": ({"siret": "siret"}, {"GET": "auth 503 503 503 503 503 503 503 503 503"}),
    "api-postal-codes": ({}, {"GET": PUBLIC}),
    # --- Listings API ------------------------------------------------------------------------
    "listing-search": ({}, {"GET": PUBLIC, "POST": VERIFIED}),
    "listing-map": ({}, {"GET": PUBLIC}),
    "category-list": ({}, {"GET": PUBLIC}),
    "listing-mine": ({}, {"GET": COMPANY}),
    "listing-detail": (
        {"pk": "listing"},
        {"GET": PUBLIC, "PATCH": ALPHA_PUBLISHED, "DELETE": ALPHA_PUBLISHED},
    ),
    "listing-submit": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listing-close": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listing-renew": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listing-photos": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listing-photo-order": ({"pk": "listing"}, {"PUT": ALPHA_PUBLISHED}),
    "listing-photo-detail": (
        {"pk": "listing", "photo_id": "photo"},
        {"DELETE": ALPHA_PUBLISHED},
    ),
    "listing-matches": ({"pk": "listing"}, {"GET": ALPHA_PUBLISHED}),
    "listing-match-dismiss": (
        {"pk": "listing", "other_id": "other_listing"},
        {"POST": ALPHA_PUBLISHED, "DELETE": ALPHA_PUBLISHED},
    ),
    # --- Matching API ----------------------------------------------------------------------
    "saved-search-list": ({}, {"GET": VERIFIED, "POST": VERIFIED}),
    "saved-search-detail": (
        {"pk": "saved_search"},
        {"GET": ALPHA, "PATCH": ALPHA, "DELETE": ALPHA},
    ),
    # --- Moderation API ----------------------------------------------------------------------
    "api-moderation-companies": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-companies-bulk": ({}, {"POST": MODERATION_LIST}),
    "api-moderation-company-verify": ({"pk": "pending_company"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-company-reject": ({"pk": "pending_company"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-company-suspend": ({"pk": "pending_company"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-company-reinstate": (
        {"pk": "pending_company"},
        {"POST": MODERATION_OBJECT},
    ),
    "api-moderation-listings": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-listings-bulk": ({}, {"POST": MODERATION_LIST}),
    "api-moderation-reasons": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-listing-approve": ({"pk": "pending_listing"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-listing-reject": ({"pk": "pending_listing"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-listing-hide": ({"pk": "pending_listing"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-reports": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-report-resolve": ({"pk": "report"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-log": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-stats": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-unanswered": ({}, {"GET": MODERATION_LIST}),
    "api-moderation-unanswered-call": ({"pk": "listing"}, {"POST": MODERATION_OBJECT}),
    "api-moderation-crises": ({}, {"GET": MODERATION_LIST, "POST": MODERATION_LIST}),
    "api-moderation-crisis-close": ({"pk": "crisis"}, {"POST": MODERATION_OBJECT}),
    "api-crises": ({}, {"GET": PUBLIC}),
    "api-reports": (
        {},
        {"POST": VERIFIED},
        {"target_type": "listing", "target_id": "@listing", "reason": "Annonce trompeuse."},
    ),
    # --- Notifications and messaging API -----------------------------------------------------
    "api-notifications": ({}, {"GET": LOGGED_IN}),
    "api-notifications-read": ({}, {"POST": LOGGED_IN}),
    "api-conversations": (
        {},
        {"GET": LOGGED_IN, "POST": "auth 403 400 ok 400 403 403 403 403 403"},
        {"listing": "@listing", "body": "Bonjour, cette offre nous intéresse."},
    ),
    "api-conversation-messages": ({"pk": "conversation"}, {"GET": ALPHA, "POST": ALPHA}),
    "api-conversation-read": ({"pk": "conversation"}, {"POST": ALPHA}),
    # --- Pages: accounts -------------------------------------------------------------------
    "accounts:profile": ({}, {"GET": PAGE_LOGGED_IN, "POST": PAGE_LOGGED_IN}),
    "accounts:export": ({}, {"GET": PAGE_LOGGED_IN}),
    # Accepting the terms of use in force: anyone logged in (the empty POST answers 400).
    "accounts:terms_accept": ({}, {"GET": PAGE_LOGGED_IN, "POST": PAGE_LOGGED_IN}),
    "accounts:preferences": ({}, {"POST": PAGE_LOGGED_IN}),
    # The one-click unsubscribe link needs no login: its signed token is the right.
    "accounts:unsubscribe": ({"token": "token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    # The "still current?" links need no login either: the signed token is the right (a token
    # that is not one answers 400, which the matrix counts as let in).
    "listings:freshness": ({"token": "token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "messaging:followup": ({"token": "token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "accounts:delete": ({}, {"POST": PAGE_LOGGED_IN}),
    "accounts:company": ({}, {"GET": PAGE_LOGGED_IN}),
    "accounts:company_create": ({}, {"GET": PAGE_LOGGED_IN, "POST": PAGE_LOGGED_IN}),
    # "My company" pages act on the caller's own company: a plain member is refused, someone
    # without a company finds nothing (the other personas are admins of their own companies).
    "accounts:company_edit": ({}, {"GET": OWN_ADMIN, "POST": OWN_ADMIN}),
    "accounts:invitation_create": ({}, {"POST": OWN_ADMIN}),
    "accounts:invitation_revoke": ({"pk": "invitation"}, {"POST": ALPHA_ADMIN}),
    "accounts:member_remove": ({"pk": "membership"}, {"POST": ALPHA_MEMBER_LEAVES}),
    "accounts:member_role": (
        {"pk": "membership"},
        {"POST": ALPHA_ADMIN},
        {"role": "admin"},
    ),
    "accounts:company_detail": ({"pk": "company"}, {"GET": PUBLIC}),
    "accounts:invitation": ({"token": "token"}, {"GET": PUBLIC}),
    # --- Pages: listings -------------------------------------------------------------------
    "listings:search": ({}, {"GET": PUBLIC}),
    "listings:map": ({}, {"GET": PUBLIC}),
    # The form page shows everyone logged in what publishing takes; an empty POST is refused
    # for its content (400-like form page) before the company is checked (by the service).
    "listings:create": ({}, {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "listings:mine": ({}, {"GET": PAGE_LOGGED_IN}),
    "listings:detail": ({"pk": "listing"}, {"GET": PUBLIC}),
    "listings:edit": ({"pk": "listing"}, {"GET": ALPHA_PUBLISHED, "POST": ALPHA_PUBLISHED}),
    "listings:submit": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listings:renew": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    "listings:close": ({"pk": "listing"}, {"GET": ALPHA_PUBLISHED, "POST": ALPHA_PUBLISHED}),
    "listings:delete": ({"pk": "listing"}, {"POST": ALPHA_PUBLISHED}),
    # --- Pages: matching -------------------------------------------------------------------
    "matching:suggestions": ({}, {"GET": PAGE_LOGGED_IN}),
    # "Contacter" on a suggestion: recorded for the caller's company, then on to the contact
    # page (which checks that the company is verified); never for one's own listing.
    "matching:contact": ({"pk": "listing"}, {"POST": "auth ok 404 ok 404 ok 404 404 404 404"}),
    "matching:dismiss": ({"pk": "other_listing"}, {"POST": COMPANY_PAGE}),
    "matching:saved_searches": ({}, {"GET": PAGE_LOGGED_IN}),
    "matching:saved_search_create": ({}, {"POST": PAGE_LOGGED_IN}),
    "matching:saved_search_delete": ({"pk": "saved_search"}, {"POST": ALPHA}),
    # --- Pages: moderation -----------------------------------------------------------------
    "moderation:dashboard": ({}, {"GET": PAGE_MODERATION}),
    "moderation:companies": ({}, {"GET": PAGE_MODERATION}),
    "moderation:company_action": ({"pk": "pending_company"}, {"POST": MODERATION_OBJECT}),
    "moderation:company_bulk": ({}, {"POST": PAGE_MODERATION}),
    "moderation:listings": ({}, {"GET": PAGE_MODERATION}),
    "moderation:listing_bulk": ({}, {"POST": PAGE_MODERATION}),
    "moderation:listing_action": ({"pk": "pending_listing"}, {"POST": MODERATION_OBJECT}),
    "moderation:reports": ({}, {"GET": PAGE_MODERATION}),
    "moderation:report_resolve": ({"pk": "report"}, {"POST": MODERATION_OBJECT}),
    "moderation:log": ({}, {"GET": PAGE_MODERATION}),
    "moderation:stats": ({}, {"GET": PAGE_MODERATION}),
    "moderation:unanswered": ({}, {"GET": PAGE_MODERATION}),
    "moderation:unanswered_call": ({"pk": "listing"}, {"POST": MODERATION_OBJECT}),
    "moderation:crises": ({}, {"GET": PAGE_MODERATION}),
    "moderation:crisis_open": ({}, {"POST": PAGE_MODERATION}),
    "moderation:crisis_close": ({"pk": "crisis"}, {"POST": MODERATION_OBJECT}),
    # Hiding the crisis banner for the session: anyone's own session.
    "moderation:crisis_banner_hide": ({"pk": "crisis"}, {"POST": PUBLIC}),
    "moderation:report_create": ({}, {"GET": VERIFIED, "POST": VERIFIED}),
    # --- Pages: notifications and messaging ------------------------------------------------
    "notifications:list": ({}, {"GET": PAGE_LOGGED_IN}),
    "notifications:mark_read": ({}, {"POST": PAGE_LOGGED_IN}),
    "notifications:open": ({"pk": "notification"}, {"GET": ALPHA}),
    "messaging:inbox": ({}, {"GET": PAGE_LOGGED_IN}),
    "messaging:conversation": ({"pk": "conversation"}, {"GET": ALPHA, "POST": ALPHA}),
    # Contacting Alpha about its listing: not Alpha itself, only verified companies.
    "messaging:start": (
        {"listing_pk": "listing"},
        {"GET": LOGGED_IN, "POST": "auth 403 403 ok 403 403 403 403 403 403"},
        {"body": "Bonjour, cette offre nous intéresse."},
    ),
    "messaging:unread_total": ({}, {"GET": PAGE_LOGGED_IN}),
}

# WebSocket (/ws/) client → server message types, about Alpha's conversation, same columns:
#   ok     handled (message.send: the message comes back as message.new; read: the read event;
#          typing: no answer to the sender)
#   auth   the socket itself is refused
#   error  an error event (the conversation is not the caller's, or their company may not send)
WS_ROWS = {
    "message.send": "auth error ok error ok error error error error error",
    "typing": "auth error ok error ok error error error error error",
    "read": "auth error ok error ok error error error error error",
}
