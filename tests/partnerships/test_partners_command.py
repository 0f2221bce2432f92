"""`kembar partners NAME,CC`: a government's partnerships, or the candidates for a name it cannot
resolve on its own."""

import pytest
from django.core.management import CommandError, call_command

from kembar.dashboard.demo import load_demo
from kembar.partnerships.models import LocalGovernment

pytestmark = pytest.mark.django_db


def test_partners_command_resolves_name_and_country(capsys):
    load_demo()
    call_command("partners", "Bandung,ID")
    out = capsys.readouterr().out
    assert "Kota Bandung,ID" in out and "Stadt Braunschweig,DE" in out and "1960" in out


def test_partners_command_lists_candidates_for_an_unknown_or_ambiguous_name():
    load_demo()
    with pytest.raises(CommandError) as error:
        call_command("partners", "Bandoeng Selatan,ID")
    assert "No registered local government" in str(error.value)
    LocalGovernment.objects.create(
        place=LocalGovernment.objects.get(name="Kota Bandung").place, level="regency", name="Kabupaten Bandung"
    )
    with pytest.raises(CommandError) as error:
        call_command("partners", "Bandung,ID")
    assert "ambiguous" in str(error.value) and "Bandung (regency),ID" in str(error.value)
    assert "Bandung (city),ID" in str(error.value)  # each candidate in a form that names it alone
