"""Step ``recommendations``: the forum's recommendations, as its organisers would make them once
the syntheses are approved — drafted, translated, backed by evidence, endorsed by participants
of several UCLG world sections, then consulted, adopted or withdrawn with a public reason.

None of the imported texts is of type *recommendation* (Barcelona's proposals, Lille's answers
and the OSDG texts are proposals, challenges and practices), so nothing is promoted: the
recommendations below were **written for the demonstration** from what the demo computed
(the approved themes, the contributions, the consensus statements of the opinion maps). Their
wording, their translations, their endorsements and the reasons for their status changes are the
demo's own; the About page says so and lists them.

Everything goes through :mod:`cityforum.recommendations.services`, with the demo organiser
deciding and the demo moderator linking evidence, so the permissions and the audit trail are
those of a real forum. Evidence is chosen from what the build made (the theme whose labels
share most words with the recommendation's keywords, a contribution that mentions one), so the
same specifications work on the small slice and on the full demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .builder import DemoBuild


@dataclass(frozen=True)
class DemoRecommendation:
    """One recommendation of the demo: its texts, where it stands, who backs it."""

    key: str
    language: str
    texts: dict[str, str]
    line: str
    addressee: str
    capitals: tuple[str, ...]
    pact: str
    consultation: str
    #: Words looked for in the themes' labels and the contributions' texts, to pick evidence.
    keywords: tuple[str, ...]
    #: ``draft``, ``consulted``, ``adopted`` or ``withdrawn``.
    status: str
    #: How many world sections' demo participants endorse it (0 to 7).
    sections: int
    region: str = ""
    #: Cite a consensus statement of this consultation's opinion map.
    consensus: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


#: The demo's recommendations (demo wording, see the module's docstring).
RECOMMENDATIONS: tuple[DemoRecommendation, ...] = (
    DemoRecommendation(
        key="climate-finance",
        language="en",
        texts={
            "en": "Give intermediary cities direct access to climate finance: development banks "
            "and the climate funds of the G20 should open windows for cities of 50,000 to one "
            "million inhabitants, without going through the national government for every "
            "project.",
            "fr": "Donner aux villes intermédiaires un accès direct à la finance climat : les "
            "banques de développement et les fonds climat du G20 devraient ouvrir des guichets "
            "aux villes de 50 000 à un million d'habitants, sans passer par l'État pour chaque "
            "projet.",
            "es": "Dar a las ciudades intermedias acceso directo a la financiación climática: los "
            "bancos de desarrollo y los fondos climáticos del G20 deberían abrir ventanillas a "
            "las ciudades de 50.000 a un millón de habitantes, sin pasar por el gobierno "
            "nacional para cada proyecto.",
        },
        line="financing",
        addressee="global",
        capitals=("economic", "environmental"),
        pact="planet",
        consultation="ecological-transition",
        keywords=("banks", "taxes", "ecological transition", "climate"),
        status="adopted",
        sections=7,
        consensus="regional-noram",
    ),
    DemoRecommendation(
        key="public-services",
        language="fr",
        texts={
            "fr": "Reconnaître les services publics locaux comme le premier rempart contre les "
            "inégalités : le système des Nations unies devrait compter l'accès aux services "
            "publics locaux parmi les indicateurs des Objectifs de développement durable.",
            "en": "Recognise local public services as the first defence against inequality: the "
            "UN system should count access to local public services among the indicators of "
            "the Sustainable Development Goals.",
            "es": "Reconocer los servicios públicos locales como la primera defensa contra la "
            "desigualdad: el sistema de las Naciones Unidas debería contar el acceso a los "
            "servicios públicos locales entre los indicadores de los Objetivos de Desarrollo "
            "Sostenible.",
        },
        line="advocacy",
        addressee="global",
        capitals=("social", "human"),
        pact="people",
        consultation="inequalities",
        keywords=("public services", "commons", "local government", "poverty"),
        status="adopted",
        sections=6,
        consensus="places-that-care",
    ),
    DemoRecommendation(
        key="participation-training",
        language="es",
        texts={
            "es": "Financiar un programa mundial que forme al personal de las ciudades "
            "intermedias para organizar la participación ciudadana —asambleas, presupuestos "
            "participativos, consultas locales— y para publicar lo que cambió gracias a ella.",
            "en": "Fund a global programme that trains the staff of intermediary cities to run "
            "citizen participation — assemblies, participatory budgets, local referendums — "
            "and to publish what changed because of it.",
            "fr": "Financer un programme mondial qui forme le personnel des villes intermédiaires "
            "à organiser la participation citoyenne — assemblées, budgets participatifs, "
            "référendums locaux — et à publier ce qui a changé grâce à elle.",
        },
        line="capacity_building",
        addressee="global",
        capitals=("human",),
        pact="government",
        consultation="local-democracy",
        keywords=("citizen participation", "referendum", "democracy", "participació"),
        status="adopted",
        sections=5,
    ),
    DemoRecommendation(
        key="transport-ndc",
        language="en",
        texts={
            "en": "Include public transport and cycling between intermediary cities and their "
            "rural surroundings in national climate commitments (NDCs), with targets the "
            "cities report on every year.",
            "fr": "Inscrire les transports publics et le vélo entre les villes intermédiaires et "
            "leurs campagnes dans les engagements climatiques nationaux (CDN), avec des "
            "objectifs dont les villes rendent compte chaque année.",
            "es": "Incluir el transporte público y la bicicleta entre las ciudades intermedias y "
            "su entorno rural en los compromisos climáticos nacionales (NDC), con metas sobre "
            "las que las ciudades informen cada año.",
        },
        line="implementation",
        addressee="global",
        capitals=("environmental",),
        pact="planet",
        consultation="ecological-transition",
        keywords=("public transport", "cycling", "car", "mobilitat"),
        status="adopted",
        sections=3,
        extra={"trend": True},
    ),
    DemoRecommendation(
        key="income-tax-share",
        language="fr",
        texts={
            "fr": "Affecter par la loi une part fixe de l'impôt sur le revenu aux collectivités "
            "locales, pour que les villes intermédiaires puissent planifier leurs services "
            "publics au-delà d'une année budgétaire.",
            "en": "Give local governments a fixed share of income-tax revenue by law, so that "
            "intermediary cities can plan their public services beyond one budget year.",
            "es": "Asignar por ley una parte fija del impuesto sobre la renta a los gobiernos "
            "locales, para que las ciudades intermedias puedan planificar sus servicios "
            "públicos más allá de un año presupuestario.",
        },
        line="financing",
        addressee="national",
        capitals=("economic", "social"),
        pact="people",
        consultation="inequalities",
        keywords=("taxes", "income tax", "employment", "impôt"),
        status="adopted",
        sections=4,
    ),
    DemoRecommendation(
        key="blank-vote",
        language="fr",
        texts={
            "fr": "Compter et publier les votes blancs aux élections locales, pour que le refus "
            "de tous les candidats soit entendu au lieu de se perdre dans l'abstention.",
            "en": "Count and publish blank votes in local elections, so that the refusal of every "
            "candidate is heard instead of being lost among abstentions.",
            "es": "Contar y publicar los votos en blanco en las elecciones locales, para que el "
            "rechazo de todos los candidatos se escuche en lugar de perderse en la abstención.",
        },
        line="advocacy",
        addressee="national",
        capitals=("human",),
        pact="government",
        consultation="local-democracy",
        keywords=("blank vote", "vote", "compulsory voting", "vote blanc"),
        status="consulted",
        sections=2,
    ),
    DemoRecommendation(
        key="building-reuse",
        language="en",
        texts={
            "en": "Require the reuse of building materials in the public works of intermediary "
            "cities, and publish each year how much construction waste was avoided.",
            "fr": "Exiger le réemploi des matériaux de construction dans les travaux publics des "
            "villes intermédiaires, et publier chaque année les déchets de chantier évités.",
            "es": "Exigir la reutilización de materiales de construcción en las obras públicas de "
            "las ciudades intermedias y publicar cada año cuántos residuos de obra se evitaron.",
        },
        line="implementation",
        addressee="local",
        capitals=("environmental", "economic"),
        pact="planet",
        consultation="regional-noram",
        keywords=("waste", "building", "life cycle", "recycling"),
        status="adopted",
        sections=3,
        extra={"specificity": True},
    ),
    DemoRecommendation(
        key="short-food-chains",
        language="fr",
        texts={
            "fr": "Soutenir les circuits courts entre les fermes et les villes intermédiaires "
            "d'Europe : logistique partagée et achats publics de produits locaux pour les "
            "cantines scolaires.",
            "en": "Support short food supply chains between farms and the intermediary cities of "
            "Europe: shared logistics, and public purchasing of local food for school "
            "canteens.",
            "es": "Apoyar los circuitos cortos entre las granjas y las ciudades intermedias de "
            "Europa: logística compartida y compra pública de alimentos locales para los "
            "comedores escolares.",
        },
        line="capacity_building",
        addressee="regional",
        region="europe",
        capitals=("environmental", "economic"),
        pact="planet",
        consultation="ecological-transition",
        keywords=("agriculture", "industry", "europe", "agricult"),
        status="consulted",
        sections=3,
    ),
    DemoRecommendation(
        key="care-hubs",
        language="es",
        texts={
            "es": "Abrir en cada barrio centros de cuidados donde familias, niños y personas "
            "mayores encuentren salud, cuidado infantil y servicios sociales en un mismo lugar, "
            "a poca distancia a pie.",
            "en": "Open care hubs in every neighbourhood where families, children and older "
            "people find health care, childcare and social services in one place, within "
            "walking distance.",
            "fr": "Ouvrir dans chaque quartier des maisons du soin où familles, enfants et "
            "personnes âgées trouvent santé, garde d'enfants et services sociaux au même "
            "endroit, à distance de marche.",
        },
        line="implementation",
        addressee="local",
        capitals=("social", "human"),
        pact="people",
        consultation="places-that-care",
        keywords=("children", "health", "family", "care"),
        status="draft",
        sections=1,
        consensus="places-that-care",
    ),
    DemoRecommendation(
        key="guarantee-fund",
        language="en",
        texts={
            "en": "Create a regional guarantee fund that lets intermediary cities of North "
            "America borrow for digital public infrastructure and climate adaptation at the "
            "rates large metropolises get.",
            "fr": "Créer un fonds de garantie régional qui permette aux villes intermédiaires "
            "d'Amérique du Nord d'emprunter pour leurs infrastructures numériques publiques et "
            "leur adaptation au climat aux taux obtenus par les grandes métropoles.",
            "es": "Crear un fondo de garantía regional que permita a las ciudades intermedias de "
            "América del Norte endeudarse para infraestructura digital pública y adaptación "
            "climática a las tasas que obtienen las grandes metrópolis.",
        },
        line="financing",
        addressee="regional",
        region="noram",
        capitals=("economic",),
        pact="government",
        consultation="regional-noram",
        keywords=("banks", "digital", "climate change"),
        status="draft",
        sections=0,
    ),
    DemoRecommendation(
        key="culture-service",
        language="en",
        texts={
            "en": "Ask the G20 to recognise culture as a public service of intermediary cities.",
            "fr": "Demander au G20 de reconnaître la culture comme un service public des villes "
            "intermédiaires.",
            "es": "Pedir al G20 que reconozca la cultura como un servicio público de las ciudades "
            "intermedias.",
        },
        line="advocacy",
        addressee="global",
        capitals=("cultural", "social"),
        pact="people",
        consultation="inequalities",
        keywords=("public services", "culture", "commons"),
        status="withdrawn",
        sections=2,
    ),
    DemoRecommendation(
        key="elected-answer",
        language="es",
        texts={
            "es": "Dar a cada barrio un espacio público y una reunión anual en la que los cargos "
            "electos respondan en persona a las preguntas de los vecinos.",
            "en": "Give every neighbourhood a public space and a yearly meeting where elected "
            "officials answer residents' questions in person.",
            "fr": "Donner à chaque quartier un espace public et une réunion annuelle où les élus "
            "répondent en personne aux questions des habitants.",
        },
        line="capacity_building",
        addressee="local",
        capitals=("social", "human"),
        pact="government",
        consultation="local-democracy",
        keywords=("elected official", "citizenship", "civil society", "neighbourhood"),
        status="adopted",
        sections=4,
    ),
)

#: The public reasons the demo organiser gives (demo wording).
REASONS: dict[str, str] = {
    "consulted": "Put to the forum's participants with its evidence; open for endorsement.",
    "adopted": "Backed by the approved synthesis and endorsed during the consultation.",
    "withdrawn": "Merged into the recommendation on local public services, which says the same "
    "with stronger evidence.",
}

#: One demo participant per UCLG world section, who endorse (names end in "(demo)").
ENDORSERS: tuple[tuple[str, str], ...] = (
    ("africa", "Amina (demo)"),
    ("europe", "Jonas (demo)"),
    ("latam", "Lucía (demo)"),
    ("aspac", "Hiroshi (demo)"),
    ("mewa", "Leila (demo)"),
    ("eurasia", "Dmitri (demo)"),
    ("noram", "Grace (demo)"),
)

ENDORSER_PASSWORD = "endorsements-not-for-login-62"  # noqa: S105  (demo only, never shown)

PATH = {
    "consulted": ("consulted",),
    "adopted": ("consulted", "adopted"),
    "withdrawn": ("withdrawn",),
}


def _endorsers() -> list[Any]:
    """One participant per world section, living in one of its intermediary cities."""
    from cityforum.cities.models import City
    from cityforum.people.services import create_user, update_profile

    people = []
    for section, name in ENDORSERS:
        city = (
            City.objects.filter(country__section__code=section, population__lte=1_000_000)
            .order_by("-population")
            .first()
        )
        if city is None:
            continue
        user = create_user(f"{section}@demo.cityforum.example", ENDORSER_PASSWORD, "participant")
        update_profile(
            user, display_name=name, preferred_language="en", city=city, organisation=None
        )
        people.append(user)
    return people


def _words(text: str) -> set[str]:
    return {w for w in text.lower().replace("·", " ").split() if len(w) > 3}


def _approved_run(consultation: Any) -> Any:
    from cityforum.synthesis.models import ThemeRun

    approved = ThemeRun.objects.filter(approved_at__isnull=False).order_by("-pk")
    return (
        approved.filter(consultation=consultation).first()
        or approved.filter(consultation__isnull=True).first()
    )


def _best_theme(run: Any, keywords: tuple[str, ...]) -> int | None:
    """The theme whose labels share most words with the keywords (the first on a tie)."""
    wanted = set().union(*(_words(k) for k in keywords))
    best, score = None, -1
    for theme in run.published().get("themes", []):
        labels = " ".join(str(v) for v in (theme.get("labels") or {}).values())
        found = len(wanted & _words(labels))
        if found > score:
            best, score = theme.get("id"), found
    return best


def _contribution(consultation: Any, keywords: tuple[str, ...]) -> Any:
    from django.db.models import Q

    from cityforum.participation.models import Contribution

    visible = Contribution.objects.filter(consultation=consultation, status="visible")
    query = Q()
    for word in keywords:
        query |= Q(body__icontains=word) | Q(title__icontains=word)
    return visible.filter(query).order_by("pk").first() or visible.order_by("pk").first()


def _consensus(slug: str) -> tuple[int, int] | None:
    """(opinion map run, statement) of the first accepted consensus statement of ``slug``."""
    from cityforum.statements.models import Statement
    from cityforum.synthesis.models import OpinionMapRun

    run = (
        OpinionMapRun.objects.filter(consultation__slug=slug, status="done").order_by("-pk").first()
    )
    if run is None:
        return None
    consensus = (run.result or {}).get("consensus", {})
    ids = [item.get("statement") for item in consensus.get("agree", [])]
    accepted = set(
        Statement.objects.filter(pk__in=ids, status=Statement.Status.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    return next(((run.pk, s) for s in ids if s in accepted), None)


def _link_evidence(rec: Any, spec: DemoRecommendation, consultation: Any, by: Any) -> int:
    from cityforum.recommendations.services import link_evidence

    linked = 0
    run = _approved_run(consultation)
    if run is not None:
        theme = _best_theme(run, spec.keywords)
        if theme is not None:
            link_evidence(rec, "theme", run.pk, str(theme), by=by)
            linked += 1
        published = run.published()
        programme = _approved_run(None)
        if spec.extra.get("trend") and programme is not None:
            trend = next(
                (t for t in programme.published().get("trends", []) if t.get("is_global")), None
            )
            if trend is not None:
                link_evidence(rec, "trend", programme.pk, str(trend["theme"]), by=by)
                linked += 1
        if spec.extra.get("specificity") and programme is not None:
            found = programme.published().get("specificities", []) or published.get(
                "specificities", []
            )
            if found:
                s = found[0]
                link_evidence(
                    rec, "specificity", programme.pk, f"{s['region']}:{s['kind']}:{s['key']}", by=by
                )
                linked += 1
    contribution = _contribution(consultation, spec.keywords)
    if contribution is not None:
        link_evidence(
            rec,
            "contribution",
            contribution.pk,
            by=by,
            note="A participant's own words on the question.",
        )
        linked += 1
    if spec.consensus:
        found_consensus = _consensus(spec.consensus)
        if found_consensus is not None:
            link_evidence(
                rec, "consensus_statement", found_consensus[0], str(found_consensus[1]), by=by
            )
            linked += 1
    return linked


def make_recommendations(run: DemoBuild) -> str:
    from cityforum.programme.models import Consultation
    from cityforum.recommendations.services import (
        change_status,
        draft_recommendation,
        endorse,
        set_translation,
    )

    organiser, moderator = run.people["organiser"], run.people["moderator"]
    endorsers = _endorsers()
    run.people["endorsers"] = endorsers
    consultations = {c.slug: c for c in Consultation.objects.all()}
    made: list[str] = []
    evidence = 0
    for n, spec in enumerate(RECOMMENDATIONS):
        consultation = consultations[spec.consultation]
        rec = draft_recommendation(
            by=organiser if n % 2 == 0 else moderator,
            text=spec.texts[spec.language],
            language=spec.language,
            consultations=[consultation],
            capitals=list(spec.capitals),
            line=spec.line,
            addressee=spec.addressee,
            region=spec.region or None,
            pact_component=spec.pact,
        )
        for language, text in spec.texts.items():
            if language != spec.language:
                set_translation(rec, language, text, by=moderator)
        evidence += _link_evidence(rec, spec, consultation, moderator)
        # Endorsements come while it is open (a withdrawn one takes no more).
        backers = endorsers[: spec.sections]
        if spec.sections >= 4:
            backers = [*backers, run.people["participant"]]
        for person in backers:
            endorse(rec, by=person)
        for status in PATH.get(spec.status, ()):
            change_status(rec, status, by=organiser, reason=REASONS[status])
        made.append(spec.status)
    counts = {s: made.count(s) for s in ("adopted", "consulted", "draft", "withdrawn")}
    return (
        f"{len(made)} recommendations (demo wording; "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"), {evidence} pieces of evidence, endorsers from {len(endorsers)} sections"
    )
