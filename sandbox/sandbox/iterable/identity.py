"""Who a request is about, by the project type's rules (Iterable KB "Project Types").

| | email-based | userID-based | hybrid |
|---|---|---|---|
| unique | email | userId | email and userId |
| identify by | email (wins) or userId | userId | either |
| unknown userId only | error, or placeholder email with `preferUserId` | created | created |

Resolution never changes state: it returns the profile to write (or `None` = create one) and what
identity changes to apply, or an `IdentityProblem` the endpoint turns into a 4xx or a bulk failure.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from sandbox.iterable.errors import IterableError
from sandbox.iterable.state import ProjectState, UserProfile

# Simple on purpose: one @, no whitespace, a dot in the domain (`user @example.com` is rejected).
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_USER_ID_LENGTH = 52
PLACEHOLDER_DOMAIN = "placeholder.email"

ProblemKind = Literal[
    "invalidEmails",
    "invalidUserIds",
    "forgottenEmails",
    "forgottenUserIds",
    "conflictEmails",
    "conflictUserIds",
    "notFoundEmails",
    "notFoundUserIds",
]


@dataclass(frozen=True)
class IdentityProblem:
    kind: ProblemKind
    identifier: str

    def as_error(self) -> IterableError:
        """The single-call answer for this problem."""
        value = self.identifier
        answers: dict[str, tuple[int, str, str]] = {
            "invalidEmails": (400, "InvalidEmailAddressError", f"Invalid email: {value}"),
            "invalidUserIds": (400, "InvalidUserIdError", f"Invalid userId: {value}"),
            "forgottenEmails": (409, "ForgottenUserError", "Contact is GDPR forgotten"),
            "forgottenUserIds": (409, "ForgottenUserError", "Contact is GDPR forgotten"),
            "conflictEmails": (409, "EmailAlreadyExists", f"Email/userId conflict: {value}"),
            "conflictUserIds": (409, "UserIdAlreadyExists", f"Email/userId conflict: {value}"),
            "notFoundEmails": (400, "UnknownEmailError", f"No user exists with email {value}"),
            "notFoundUserIds": (400, "UnknownUserIdError", f"No user exists with userId {value}"),
        }
        status, code, msg = answers[self.kind]
        return IterableError(status, code, msg, None)


@dataclass(frozen=True)
class Resolution:
    profile: UserProfile | None  # None: a new profile is to be created
    email: str | None  # the email the profile ends up with (None: unchanged)
    user_id: str | None  # the userId the profile ends up with (None: unchanged)


def valid_email(email: str) -> bool:
    return bool(_EMAIL.fullmatch(email))


def valid_user_id(user_id: str) -> bool:
    """Non-empty, at most 52 printable ASCII characters, no trailing space."""
    return (
        0 < len(user_id) <= MAX_USER_ID_LENGTH
        and all(" " <= ch <= "~" for ch in user_id)
        and not user_id.endswith(" ")
    )


def placeholder_email(user_id: str) -> str:
    digest = hashlib.sha256(user_id.encode()).hexdigest()[:20]
    return f"{digest}@{PLACEHOLDER_DOMAIN}"


def check_identifiers(
    state: ProjectState, email: str | None, user_id: str | None
) -> IdentityProblem | None:
    """Syntax and GDPR checks that do not depend on who exists."""
    if email is not None:
        if not valid_email(email):
            return IdentityProblem("invalidEmails", email)
        if email in state.forgotten_emails:
            return IdentityProblem("forgottenEmails", email)
    if user_id is not None:
        if not valid_user_id(user_id):
            return IdentityProblem("invalidUserIds", user_id)
        if user_id in state.forgotten_user_ids:
            return IdentityProblem("forgottenUserIds", user_id)
    return None


def required_identifier_error(
    state: ProjectState, email: str | None, user_id: str | None, location: str
) -> IterableError | None:
    """400 when the request lacks the identifier the project type needs."""
    if state.project_type == "user_id" and user_id is None:
        return IterableError(
            400,
            "BadParams",
            f"{location}: userId is required in a userID-based project",
            {"field": f"{location}.userId"},
        )
    if email is None and user_id is None:
        return IterableError(
            400,
            "BadParams",
            f"{location}: either email or userId must be provided",
            {"field": location},
        )
    return None


def resolve(
    state: ProjectState,
    email: str | None,
    user_id: str | None,
    *,
    create: bool,
    prefer_user_id: bool = False,
) -> Resolution | IdentityProblem:
    """Find the profile a request is about, by the project type's rules."""
    if state.project_type == "email":
        return _resolve_email_based(state, email, user_id, create, prefer_user_id)
    if state.project_type == "user_id":
        return _resolve_user_id_based(state, email, user_id, create)
    return _resolve_hybrid(state, email, user_id, create)


def _resolve_email_based(
    state: ProjectState, email: str | None, user_id: str | None, create: bool, prefer: bool
) -> Resolution | IdentityProblem:
    if email is not None:
        # Email wins; a userId alongside it is written onto the profile (not unique here).
        profile = state.find_by_email(email)
        if profile is None and not create:
            return IdentityProblem("notFoundEmails", email)
        return Resolution(profile, email, user_id)
    assert user_id is not None
    holders = state.find_by_user_id(user_id)
    if holders:
        return Resolution(holders[0], None, None)
    if create and prefer:
        return Resolution(None, placeholder_email(user_id), user_id)
    return IdentityProblem("notFoundUserIds", user_id)


def _resolve_user_id_based(
    state: ProjectState, email: str | None, user_id: str | None, create: bool
) -> Resolution | IdentityProblem:
    assert user_id is not None
    holders = state.find_by_user_id(user_id)
    if not holders and not create:
        return IdentityProblem("notFoundUserIds", user_id)
    # Email is plain data here: not unique, never used for lookup.
    return Resolution(holders[0] if holders else None, email, user_id)


def _resolve_hybrid(
    state: ProjectState, email: str | None, user_id: str | None, create: bool
) -> Resolution | IdentityProblem:
    """Email and userId both unique (KB "Project Types": "Enforce email uniqueness? Yes", "Enforce
    userId uniqueness? Yes"): a request naming two profiles, or giving a profile an identifier
    another holds, is refused, never merged (Swagger users/update 409 "Email/userId conflict",
    api-docs.json line 10853; bulk `failedUpdates.conflictEmails` / `conflictUserIds`, line 2280).
    """
    holders = state.find_by_user_id(user_id) if user_id is not None else []
    by_id = holders[0] if holders else None
    by_email = state.find_by_email(email) if email is not None else None
    if by_id is not None and by_email is not None and by_id is not by_email:
        assert email is not None
        return IdentityProblem("conflictEmails", email)
    if by_id is not None:
        if email is not None and by_id.email is not None and by_id.email != email:
            assert user_id is not None
            return IdentityProblem("conflictUserIds", user_id)
        return Resolution(by_id, email, user_id)
    if by_email is not None:
        if user_id is not None and by_email.user_id is not None and by_email.user_id != user_id:
            assert email is not None
            return IdentityProblem("conflictEmails", email)
        return Resolution(by_email, email, user_id)
    if not create:
        if user_id is not None:
            return IdentityProblem("notFoundUserIds", user_id)
        assert email is not None
        return IdentityProblem("notFoundEmails", email)
    return Resolution(None, email, user_id)


def apply_resolution(state: ProjectState, resolution: Resolution) -> UserProfile:
    """Create the profile or apply identity changes; re-checks uniqueness at write time."""
    profile = resolution.profile
    if profile is None:
        return state.create_user(resolution.email, resolution.user_id)
    state.set_email(profile, resolution.email)
    state.set_user_id(profile, resolution.user_id)
    return profile
