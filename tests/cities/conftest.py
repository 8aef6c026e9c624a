from tests.assessments.conftest import (  # noqa: F401
    indicators,
    moderator,
    organiser,
    participant,
    towns,
)
