"""REST API of accounts: /api/v1/me/, companies, members, invitations (see docs/api.md).

Views check permissions (accounts.permissions), then call a service (accounts.services).
One module per concern (`me`, `companies`, `invitations`), their views re-exported here for
accounts/urls.py."""

from .companies import CompanyDetailView as CompanyDetailView
from .companies import CompanyInputSerializer as CompanyInputSerializer
from .companies import CompanyListCreateView as CompanyListCreateView
from .companies import CompanyListSerializer as CompanyListSerializer
from .companies import CompanyMemberDetailView as CompanyMemberDetailView
from .companies import CompanyMembersView as CompanyMembersView
from .companies import CompanySerializer as CompanySerializer
from .companies import MemberSerializer as MemberSerializer
from .companies import RegistryAnswerSerializer as RegistryAnswerSerializer
from .companies import RoleSerializer as RoleSerializer
from .companies import SiretLookupView as SiretLookupView
from .invitations import CompanyInvitationDetailView as CompanyInvitationDetailView
from .invitations import CompanyInvitationsView as CompanyInvitationsView
from .invitations import InvitationAcceptView as InvitationAcceptView
from .invitations import InvitationInputSerializer as InvitationInputSerializer
from .invitations import InvitationSerializer as InvitationSerializer
from .invitations import MyInvitationsView as MyInvitationsView
from .me import MeExportView as MeExportView
from .me import MePreferencesView as MePreferencesView
from .me import MeSerializer as MeSerializer
from .me import MeUpdateSerializer as MeUpdateSerializer
from .me import MeView as MeView
from .me import PreferencesSerializer as PreferencesSerializer
