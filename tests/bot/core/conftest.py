"""The admin fixtures (staff accounts and tokens), for the app-wide guards tested here."""

from tests.admin.conftest import login, make_user, officer  # noqa: F401
from tests.fakes.telegram_fixtures import fake, telegram_api  # noqa: F401
