"""Writes on users, companies, memberships and invitations.

Every function here is keyword-only and atomic. Permission checks live in accounts.permissions
and run before these; the services assume the caller is allowed. Bad input raises Django's
ServiceError naming the field, which forms and the API turn into messages (bourse.core.errors).

One module per concern (`companies`, `members`: memberships and invitations, `users`); callers
import them from here, `from accounts import services` then `services.company_create(...)`."""

from .companies import COMPANY_EDITABLE_FIELDS as COMPANY_EDITABLE_FIELDS
from .companies import COMPANY_IDENTITY_FIELDS as COMPANY_IDENTITY_FIELDS
from .companies import NAF_RE as NAF_RE
from .companies import clean_naf_code as clean_naf_code
from .companies import clean_siret as clean_siret
from .companies import company_create as company_create
from .companies import company_update as company_update
from .companies import locate_postal_code as locate_postal_code
from .members import invitation_accept as invitation_accept
from .members import invitation_create as invitation_create
from .members import invitation_revoke as invitation_revoke
from .members import invitation_url as invitation_url
from .members import membership_remove as membership_remove
from .members import membership_set_role as membership_set_role
from .members import user_verified_emails as user_verified_emails
from .users import PREFERENCE_FIELDS as PREFERENCE_FIELDS
from .users import clean_phone as clean_phone
from .users import preferences_update as preferences_update
from .users import retire_inactive_accounts as retire_inactive_accounts
from .users import terms_accept as terms_accept
from .users import terms_acceptance as terms_acceptance
from .users import user_create as user_create
from .users import user_delete as user_delete
from .users import user_update as user_update
