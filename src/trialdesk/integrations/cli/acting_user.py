"""Who an import or export on the command line acts as: a named, active user, never an implied admin."""

from django.core.management.base import CommandError

from trialdesk.core.models import User
from trialdesk.studies.models import Study


def add_user_argument(parser) -> None:
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="Act as this user: only what they may see is exported (a blinded user's file has no arms), "
        "and imported changes are audited under their name.",
    )


def acting_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"--user: there is no active user {username!r}.")
    return user


def visible_study(user: User, code: str) -> Study:
    """The study with protocol number `code` if `user` may see it; the same message either way, so a
    command line reveals no more than the API's 404."""
    study = Study.objects.visible_to(user).filter(code=code).first()
    if study is None:
        raise CommandError(f"--study: no study {code!r} that {user.username} can see.")
    return study
