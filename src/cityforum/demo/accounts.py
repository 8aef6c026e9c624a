"""Step ``accounts``: one demo account per role, and the authors the imported texts are
signed by (each named for its source, so that no real person is impersonated).

The passwords are public on purpose: they are printed by ``make demo`` and shown on the
"About this demo" page, and the demo refuses to listen beyond this machine unless told to.
"""

from __future__ import annotations

from dataclasses import dataclass

from .builder import DemoBuild


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    display_name: str


#: One account per role, shown on the About page: sign in as each to see what it may do.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "organiser", "organiser@demo.cityforum.example", "harbour-lantern-41", "Demo organiser"
    ),
    DemoAccount(
        "moderator", "moderator@demo.cityforum.example", "olive-terrace-27", "Demo moderator"
    ),
    DemoAccount(
        "participant", "participant@demo.cityforum.example", "river-market-58", "Demo participant"
    ),
)

#: Who signs the imported texts: (key, e-mail, display name, city name, country code).
AUTHORS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "barcelona",
        "barcelona@demo.cityforum.example",
        "decidim.barcelona (PAM 2016)",
        "Barcelona",
        "ES",
    ),
    (
        "barcelona_districts",
        "districts@demo.cityforum.example",
        "decidim.barcelona, districts (PAM 2016)",
        "",
        "",
    ),
    (
        "lille",
        "lille@demo.cityforum.example",
        "Grand Débat, Métropole Européenne de Lille (2019)",
        "Lille",
        "FR",
    ),
    ("osdg", "osdg@demo.cityforum.example", "OSDG Community Dataset (texts)", "", ""),
)

#: Participants who amend the Code of Conduct and vote on amendments.
AMENDERS: tuple[tuple[str, str], ...] = (
    ("amender1@demo.cityforum.example", "Aïcha (demo)"),
    ("amender2@demo.cityforum.example", "Tomás (demo)"),
    ("amender3@demo.cityforum.example", "Mei (demo)"),
)

AUTHOR_PASSWORD = "imported-texts-not-for-login-93"  # noqa: S105  (demo only, never shown)


def create_demo_accounts(run: DemoBuild) -> str:
    from cityforum.cities.models import City
    from cityforum.people.services import create_user, update_profile
    from cityforum.programme.models import Region

    sections = list(Region.objects.filter(kind="section").values_list("code", flat=True))
    for account in DEMO_ACCOUNTS:
        regions = sections if account.role == "moderator" else ()
        user = create_user(account.email, account.password, account.role, regions)
        update_profile(
            user,
            display_name=account.display_name,
            preferred_language="en",
            city=None,
            organisation=None,
        )
        run.people[account.role] = user
    for key, email, name, city_name, country in AUTHORS:
        user = create_user(email, AUTHOR_PASSWORD, "participant")
        city = None
        if city_name:
            city = (
                City.objects.filter(name=city_name, country_id=country)
                .order_by("-population")
                .first()
            )
        update_profile(
            user, display_name=name, preferred_language="en", city=city, organisation=None
        )
        run.people[key] = user
    for n, (email, name) in enumerate(AMENDERS):
        user = create_user(email, AUTHOR_PASSWORD, "participant")
        update_profile(
            user, display_name=name, preferred_language="en", city=None, organisation=None
        )
        run.people[f"amender{n + 1}"] = user
    return f"{len(DEMO_ACCOUNTS)} demo accounts, {len(AUTHORS) + len(AMENDERS)} authors"
