"""The national chain's cast: Jawa Barat's cooperation bureau (Bandung's province), Jawa Timur's
(Surabaya's: another province), Kemlu beside the `oversight` fixture's Kemendagri, and an editor
of each who acts on its stages (tests/agreements/test_chain.py, the permission sweep)."""

from __future__ import annotations

from kembar.accounts.models import Membership, Organisation
from kembar.gazetteer.models import Place
from tests.support.builders import make_office, make_user


def province(code: str) -> Place:
    return Place.objects.get(subdivision_code=code)


def build(orgs: dict, users: dict) -> dict:
    """Add the bodies and their editors to `orgs` and `users` (returns `users`)."""
    oversight = Organisation.Kind.OVERSIGHT
    orgs["jabar"] = make_office(
        "Biro Pemerintahan Jawa Barat", kind=oversight, party="province", province=province("ID-JB")
    )
    orgs["jatim"] = make_office(
        "Biro Pemerintahan Jawa Timur", kind=oversight, party="province", province=province("ID-JI")
    )
    orgs["kemlu"] = make_office("Kemlu", kind=oversight, party="kemlu", country_code="ID")
    for body in ("jabar", "jatim"):
        orgs[body].country_code = "ID"
        orgs[body].save()
    users["jabar_editor"] = make_user("jabar_editor", orgs["jabar"])
    users["jatim_editor"] = make_user("jatim_editor", orgs["jatim"])
    users["kemlu_editor"] = make_user("kemlu_editor", orgs["kemlu"])
    users["kemendagri_editor"] = make_user("kemendagri_editor", orgs["oversight"], Membership.Role.EDITOR)
    return users
