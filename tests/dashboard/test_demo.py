"""`kembar demo`: the demonstration registry, loaded again without changing anything."""

import pytest

from kembar.accounts.models import Membership, Organisation
from kembar.dashboard.demo import PARTNERSHIPS, load_demo
from kembar.partnerships.models import LocalGovernment, Partnership

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_creates_offices_and_users():
    first = load_demo()
    assert first["partnerships"] == len(PARTNERSHIPS)
    counts = (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    assert load_demo() == {"governments": 0, "partnerships": 0, "organisations": 0, "users": 0}
    assert counts == (
        LocalGovernment.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )
    bandung = Organisation.objects.get(name="Bagian Kerja Sama Kota Bandung")
    assert bandung.memberships.filter(user__username="bandung", role="editor").exists()
    kyoto = LocalGovernment.objects.get(place__subdivision_code="JP-26")
    assert (
        Partnership.objects.filter(government_a__place__subdivision_code="ID-YO", government_b=kyoto).exists()
        or Partnership.objects.filter(government_b__place__subdivision_code="ID-YO", government_a=kyoto).exists()
    )
