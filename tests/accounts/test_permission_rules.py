"""Permissions live in one place: kembar/accounts/permissions.py.

The guard: no module of kembar but permissions.py reads the access object's internals (its
fields and properties, collected from the dataclass, so a new field is covered without anyone
remembering), builds one (`access(…)`, `Access(…)`), or reaches for its per-user cache; no
template reads it. Every other module asks a named rule.

Then the named rules that code outside permissions.py asks, each over the permission matrix:
an editor of the own office (Bandung), a viewer of it, an editor of the partner office
(Braunschweig), an editor of an unrelated office (Surabaya), an oversight body, a platform
administrator, and an anonymous visitor.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

import kembar
from kembar.accounts import permissions
from kembar.accounts.models import Membership, Organisation
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment, Partnership
from tests.support.builders import make_user

ROOT = Path(kembar.__file__).resolve().parent
RULES = ROOT / "accounts" / "permissions.py"

# What builds an access object or is one: only permissions.py uses these.
CONSTRUCTORS = {"access", "Access", "ANONYMOUS"}
CACHE_SLOT = "_kembar_access"
TEMPLATE_NAME = "kembar_access"  # the context value that once carried the access object


def internal_names() -> set[str]:
    """The access object's fields and properties: what only permissions.py may read."""
    fields = {f.name for f in dataclasses.fields(permissions.Access)}
    properties = {name for name, value in vars(permissions.Access).items() if isinstance(value, property)}
    return fields | properties


def _is_permissions_module(node: ast.AST) -> bool:
    """`permissions` or `kembar.accounts.permissions`: the module, whose attributes are rules."""
    if isinstance(node, ast.Name):
        return node.id == "permissions"
    return isinstance(node, ast.Attribute) and node.attr == "permissions"


def internal_reads(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, what) for every place the source reads the access object's internals."""
    names = internal_names()
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute):
            if _is_permissions_module(node.value):
                if node.attr in CONSTRUCTORS:  # permissions.access(user), permissions.Access(…)
                    found.append((node.lineno, f"permissions.{node.attr}"))
            elif node.attr in names:  # a.read_governments, permissions.access(u).superuser, …
                found.append((node.lineno, f".{node.attr}"))
            elif node.attr == CACHE_SLOT:
                found.append((node.lineno, f".{CACHE_SLOT}"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in CONSTRUCTORS:
                found.append((node.lineno, f"{func.id}(…)"))
            elif (  # getattr(a, "edit_governments")
                isinstance(func, ast.Name)
                and func.id in ("getattr", "hasattr", "setattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in names | {CACHE_SLOT}
            ):
                found.append((node.lineno, f'{func.id}(…, "{node.args[1].value}")'))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "permissions":
            found += [(node.lineno, f"import {alias.name}") for alias in node.names if alias.name in CONSTRUCTORS]
        elif isinstance(node, ast.Name) and node.id == CACHE_SLOT:  # a class attribute that fakes the cache
            found.append((node.lineno, CACHE_SLOT))
    return sorted(set(found))


def template_reads(text: str) -> list[tuple[int, str]]:
    names = "|".join(sorted(internal_names()))
    pattern = re.compile(rf"\b{TEMPLATE_NAME}\b|\.({names})\b")
    return [(n, m.group(0)) for n, line in enumerate(text.splitlines(), 1) for m in pattern.finditer(line)]


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def test_only_permissions_py_reads_the_access_object():
    python = [p for p in sorted(ROOT.rglob("*.py")) if p != RULES and "migrations" not in p.parts]
    assert len(python) > 100  # the scan sees the project, not an empty folder
    offences = [
        f"{_relative(path)}:{line}: {what}"
        for path in python
        for line, what in internal_reads(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not offences, (
        "The access object is read outside kembar/accounts/permissions.py. Ask a named rule there "
        "instead (add one, with its rule in words, if none fits):\n  " + "\n  ".join(offences)
    )


def test_no_template_reads_the_access_object():
    templates = [p for p in sorted(ROOT.rglob("*")) if p.is_file() and "templates" in p.parts]
    assert any(p.suffix == ".html" for p in templates)
    offences = [
        f"{_relative(path)}:{line}: {what}"
        for path in templates
        for line, what in template_reads(path.read_text(encoding="utf-8"))
    ]
    assert not offences, (
        "A template reads the access object. Give it a context value computed by a named rule of "
        "kembar/accounts/permissions.py instead:\n  " + "\n  ".join(offences)
    )


def test_the_guard_sees_every_kind_of_read():
    """The scanner itself: each way of reaching the internals is caught, named rules are not."""
    source = """
from kembar.accounts import permissions
from kembar.accounts.permissions import access, can_act_for
from .permissions import ANONYMOUS
a = permissions.access(user)
if a.superuser or 3 in a.edit_governments:
    pass
own = access(user).read_governments
everyone = a.reads_everything and a.oversight
made = permissions.Access(True, False, frozenset(), frozenset())
getattr(a, "read_governments")
class Console:
    _kembar_access = None
user._kembar_access = made
fine = permissions.reads_everything(user) or permissions.can_act_for(user, 3) or os.access(path, 1)
"""
    found = {what for _line, what in internal_reads(source)}
    assert found == {
        "import access",
        "import ANONYMOUS",
        "permissions.access",
        ".superuser",
        ".edit_governments",
        "access(…)",
        ".read_governments",
        ".reads_everything",
        ".oversight",
        "permissions.Access",
        'getattr(…, "read_governments")',
        "_kembar_access",
        "._kembar_access",
    }
    assert [line for line, _what in internal_reads(source) if _what == ".superuser"] == [6]
    assert template_reads("{% if x %}\n{% if kembar_access.edit_governments %}{{ a.superuser }}") == [
        (2, "kembar_access"),
        (2, ".edit_governments"),
        (2, ".superuser"),
    ]
    assert template_reads("{% if edits_an_office %}{{ user.is_superuser }}") == []


def test_new_fields_of_the_access_object_are_guarded_too():
    assert internal_names() >= {"superuser", "oversight", "read_governments", "edit_governments", "reads_everything"}
    assert {f.name for f in dataclasses.fields(permissions.Access)} <= internal_names()
    # permissions.py itself is where they are read: the scanner finds them there.
    assert internal_reads(RULES.read_text(encoding="utf-8"))


# --- the named rules over the matrix ---------------------------------------------------------

ROLES = [
    "bandung_editor",  # the own office's editor
    "bandung_viewer",
    "braunschweig_editor",  # the partner office
    "surabaya_editor",  # an unrelated office
    "oversight",
    "platform_admin",
    "anonymous",
]


@pytest.fixture
def who(users):
    return {**users, "anonymous": AnonymousUser()}


@pytest.fixture
def partnership(governments, users):
    """Bandung–Braunschweig: the partner office's partnership with the own office."""
    return registry.create_partnership(users["platform_admin"], governments["bandung"], governments["braunschweig"])


def _ids(governments, *keys):
    return frozenset(governments[k].pk for k in keys)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("bandung_editor", False),
        ("bandung_viewer", False),
        ("braunschweig_editor", False),
        ("surabaya_editor", False),
        ("oversight", False),  # Kemendagri reads its scope, Indonesia
        ("platform_admin", True),
        ("anonymous", False),
    ],
)
def test_reads_everything(who, role, expected):
    assert permissions.reads_everything(who[role]) is expected


def test_the_console_reader_still_reads_everything():
    assert permissions.reads_everything(permissions.console_reader())


def test_an_oversight_body_reads_its_scope(who, governments):
    readable = permissions.readable_government_ids(who["oversight"])
    assert {governments["bandung"].pk, governments["surabaya"].pk} <= readable
    assert not {governments[k].pk for k in ("kyoto", "braunschweig", "busan", "liverpool")} & readable


@pytest.mark.parametrize(
    "role, read, edited",
    [
        ("bandung_editor", ["bandung"], ["bandung"]),
        ("bandung_viewer", ["bandung"], []),
        ("braunschweig_editor", ["braunschweig"], ["braunschweig"]),
        ("surabaya_editor", ["surabaya"], ["surabaya"]),
        ("oversight", [], []),
        ("platform_admin", [], []),
        ("anonymous", [], []),
    ],
)
def test_read_and_edited_government_ids(who, governments, role, read, edited):
    assert permissions.read_government_ids(who[role]) == _ids(governments, *read)
    assert permissions.edited_government_ids(who[role]) == _ids(governments, *edited)


@pytest.mark.parametrize(
    "role, narrowed_to",
    [
        ("bandung_editor", ["bandung"]),
        ("bandung_viewer", ["bandung"]),
        ("braunschweig_editor", ["braunschweig"]),
        ("surabaya_editor", ["surabaya"]),
        ("oversight", []),
        ("platform_admin", []),
        ("anonymous", []),
    ],
)
def test_office_view_government_ids(who, governments, role, narrowed_to):
    assert permissions.office_view_government_ids(who[role]) == _ids(governments, *narrowed_to)


def test_office_view_is_not_narrowed_for_readers_of_everything_with_an_office(orgs, governments):
    admin = make_user("admin_of_bandung", orgs["bandung"], Membership.Role.VIEWER, is_superuser=True)
    overseer = make_user("overseer_of_bandung", orgs["bandung"], Membership.Role.EDITOR)
    Membership.objects.create(user=overseer, organisation=orgs["oversight"], role=Membership.Role.VIEWER)
    for user in (admin, overseer):
        assert permissions.read_government_ids(user) == _ids(governments, "bandung")
        assert permissions.office_view_government_ids(user) == frozenset()


@pytest.mark.parametrize(
    "role, expected",
    [
        ("bandung_editor", True),
        ("bandung_viewer", True),
        ("braunschweig_editor", True),
        ("surabaya_editor", True),
        ("oversight", True),
        ("platform_admin", True),
        ("anonymous", False),
    ],
)
def test_reads_beyond_public(who, role, expected):
    assert permissions.reads_beyond_public(who[role]) is expected


@pytest.mark.parametrize(
    "role, edits_an_office, schedules, acts_for_bandung",
    [
        ("bandung_editor", True, True, True),
        ("bandung_viewer", False, False, False),
        ("braunschweig_editor", True, True, False),
        ("surabaya_editor", True, True, False),
        ("oversight", False, False, False),
        ("platform_admin", False, True, True),
        ("anonymous", False, False, False),
    ],
)
def test_office_rules(who, governments, role, edits_an_office, schedules, acts_for_bandung):
    user = who[role]
    assert permissions.edits_an_office(user) is edits_an_office
    assert permissions.can_schedule_meetings(user) is schedules
    assert permissions.can_act_for(user, governments["bandung"].pk) is acts_for_bandung
    assert permissions.can_edit_government(user, governments["bandung"]) is acts_for_bandung
    assert permissions.can_act_for(user, governments["kyoto"].pk) is (role == "platform_admin")


def test_nobody_but_an_administrator_acts_for_no_government(who):
    assert [role for role in ROLES if permissions.can_act_for(who[role], None)] == ["platform_admin"]


def test_reader_key_is_equal_for_users_who_read_the_same(who, governments):
    key = {role: permissions.reader_key(who[role]) for role in ROLES}
    assert key["bandung_editor"] == key["bandung_viewer"] == (False, False, [governments["bandung"].pk], ())
    assert key["braunschweig_editor"] != key["bandung_editor"]
    assert key["oversight"] == (False, True, [], (("ID", ""),))  # its scope: Indonesia
    assert key["platform_admin"] == (True, False, [], ())
    assert key["anonymous"] == (False, False, [], ())
    assert len({repr(k) for k in key.values()}) == len(ROLES) - 1


@pytest.mark.parametrize(
    "role, offices",
    [
        ("bandung_editor", ["bandung"]),
        ("bandung_viewer", []),
        ("braunschweig_editor", ["braunschweig"]),
        ("surabaya_editor", ["surabaya"]),
        ("oversight", []),
        ("platform_admin", []),
        ("anonymous", []),
    ],
)
def test_edited_offices(who, orgs, role, offices):
    assert set(permissions.edited_offices(who[role])) == {orgs[k] for k in offices}


@pytest.mark.parametrize(
    "role, editable",
    [
        ("bandung_editor", {"bandung-braunschweig"}),
        ("bandung_viewer", set()),
        ("braunschweig_editor", {"bandung-braunschweig"}),
        ("surabaya_editor", {"kyoto-surabaya"}),
        ("oversight", set()),
        ("platform_admin", {"bandung-braunschweig", "kyoto-surabaya", "busan-liverpool"}),
        ("anonymous", set()),
    ],
)
def test_editable_partnerships(who, users, governments, partnership, role, editable):
    admin = users["platform_admin"]
    registry.create_partnership(admin, governments["surabaya"], governments["kyoto"])
    registry.create_partnership(admin, governments["busan"], governments["liverpool"])
    key = {g.pk: k for k, g in governments.items()}
    names = {
        p.pk: "-".join(sorted((key[p.government_a_id], key[p.government_b_id]))) for p in Partnership.objects.all()
    }
    found = permissions.editable_partnerships(who[role], Partnership.objects.all())
    assert {names[p.pk] for p in found} == editable
    for p in Partnership.objects.all():  # the same rule as for one partnership
        assert (names[p.pk] in editable) is permissions.can_edit_partnership(who[role], p)


@pytest.mark.parametrize(
    "role, library, new_partnership",
    [
        ("bandung_editor", ["bandung"], ["bandung"]),
        ("bandung_viewer", [], []),
        ("braunschweig_editor", ["braunschweig"], ["braunschweig"]),
        ("surabaya_editor", ["surabaya"], ["surabaya"]),
        ("oversight", [], []),
        ("platform_admin", "all", ["bandung", "surabaya", "braunschweig"]),  # every government with an office
        ("anonymous", [], []),
    ],
)
def test_governments_to_pick(who, governments, role, library, new_partnership):
    Organisation.objects.create(name="Dinas Komunikasi Kota Bandung", local_government=governments["bandung"])
    user = who[role]
    picked = list(permissions.library_governments(user))
    if library == "all":
        assert set(picked) == set(LocalGovernment.objects.all())  # Kyoto too, which has no office
    else:
        assert set(picked) == {governments[k] for k in library}
    chosen = list(permissions.new_partnership_governments(user))
    assert len(chosen) == len(set(chosen))  # a government with two offices is offered once
    assert set(chosen) == {governments[k] for k in new_partnership}
    for government in LocalGovernment.objects.filter(pk__in=[g.pk for g in picked]):
        assert permissions.can_act_for(user, government.pk)


def test_console_users(governments, partnership):
    reader, admin = permissions.console_reader(), permissions.console_administrator()
    assert permissions.reads_everything(reader) and permissions.reads_everything(admin)
    assert permissions.read_government_ids(reader) == permissions.read_government_ids(admin) == frozenset()
    assert not permissions.can_edit_partnership(reader, partnership)
    assert not permissions.can_act_for(reader, governments["bandung"].pk)
    assert permissions.can_edit_partnership(admin, partnership)
    assert permissions.can_act_for(admin, governments["bandung"].pk)
    assert not reader.is_superuser and admin.is_superuser and reader.pk is None


@pytest.mark.parametrize(
    "role, shown",
    [
        ("bandung_editor", True),
        ("bandung_viewer", False),
        ("braunschweig_editor", True),
        ("oversight", False),
        ("platform_admin", False),  # no office of its own: the dashboard shows the platform
        ("anonymous", False),
    ],
)
def test_dashboard_offers_new_partnership_to_editors_of_an_office(client, who, role, shown):
    if role != "anonymous":
        client.force_login(who[role])
    response = client.get(reverse("dashboard:dashboard"))
    assert response.status_code == 200
    assert (reverse("partnerships:create") in response.content.decode()) is shown
    assert "kembar_access" not in response.context


def test_dashboard_button_follows_the_office_not_administrator_status(client, orgs):
    """A platform administrator who is only a viewer of an office is shown that office's
    dashboard without the button, as before the rule had a name."""
    admin_viewer = make_user("admin_viewer", orgs["bandung"], Membership.Role.VIEWER, is_superuser=True)
    client.force_login(admin_viewer)
    response = client.get(reverse("dashboard:dashboard"))
    assert response.context["edits_an_office"] is False
    assert reverse("partnerships:create") not in response.content.decode()
