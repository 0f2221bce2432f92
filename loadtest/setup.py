"""The offices, editors and data the load scenario acts on, written to a plan (JSON).

Ten local governments of real places (the biggest cities of Indonesia and Japan that the demo
does not use), each with an office and three editors holding API tokens. Five "hot"
partnerships pair them two by two: six editors (three of each office) edit each of them at
the same time. Every office also gets its own pool of partner governments (real places
again) to create partnerships with; a pool is taken from by one office only, so no two
creates ever name the same pair.

    DATABASE_URL=... python -m loadtest.setup PLAN.json
"""

from __future__ import annotations

import json
import os
import sys


def main(plan_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kembar.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from kembar.accounts.models import ApiToken, Membership, Organisation
    from kembar.gazetteer.models import Place
    from kembar.partnerships.models import LocalGovernment, Partnership
    from kembar.partnerships.vocab import Level

    offices, editors_per_office, pool_size = 10, 3, 120
    # The biggest cities without a government yet (on an imported registry most big ones have one).
    cities = list(
        Place.objects.filter(kind=Place.Kind.CITY, country_code__in=["ID", "JP"])
        .exclude(pk__in=LocalGovernment.objects.filter(place__isnull=False).values("place_id"))
        .order_by("-population", "id")[: offices + offices * pool_size]
    )
    if len(cities) < offices * (1 + pool_size):
        raise SystemExit("Not enough places in the gazetteer for the load scenario")
    password = make_password(None)  # unusable: the editors work with tokens only
    User = get_user_model()
    plan = {"offices": [], "hot": [], "reads": {}}
    with transaction.atomic():
        governments = LocalGovernment.objects.bulk_create(
            [
                LocalGovernment(
                    place=p,
                    level=Level.CITY,
                    name=f"Kota {p.name}" if p.country_code == "ID" else f"{p.name} City",
                    country_code=p.country_code,
                )
                for p in cities[: offices * (1 + pool_size)]
            ]
        )
        ours, pool = governments[:offices], governments[offices:]
        for i, government in enumerate(ours):
            organisation = Organisation.objects.create(
                name=f"Load office {i} — {government.name}", local_government=government
            )
            editors = []
            for k in range(editors_per_office):
                # An address each: a message in the conversation is mailed to the other five.
                user = User.objects.create(
                    username=f"load-{i}-{k}", email=f"load-{i}-{k}@load.example.org", password=password
                )
                Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.EDITOR)
                editors.append({"username": user.username, "token": ApiToken.issue(user, "load test")[1]})
            plan["offices"].append(
                {
                    "government_id": government.pk,
                    "editors": editors,
                    "targets": [g.pk for g in pool[i * pool_size : (i + 1) * pool_size]],
                }
            )
        for i in range(0, offices, 2):
            a, b = ours[i], ours[i + 1]
            hot = Partnership.objects.create(
                government_a=a, government_b=b, kind="friendship", notes="load: initial", basis="load test"
            )
            plan["hot"].append({"id": hot.pk, "offices": [i, i + 1]})
    plan["reads"] = {
        "partnerships": list(Partnership.objects.filter(public=True).values_list("id", flat=True)),
        "governments": list(LocalGovernment.objects.order_by("-id").values_list("id", flat=True)[:200]),
        "places": [
            "Bandung",
            "Kyoto",
            "Surabaya",
            "Osaka",
            "京都",
            "Jogja",
            "Yogyakarta",
            "Tokyo, JP",
            "Sapporo",
            "Medan",
            "Makassar",
            "Nagoya",
            "Kobe",
            "Semarang",
            "Fukuoka",
        ],
    }
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    print(
        f"Load plan: {offices} offices × {editors_per_office} editors, {len(plan['hot'])} partnerships "
        f"edited by six editors each, {offices * pool_size} partner governments to create with"
    )


if __name__ == "__main__":
    main(sys.argv[1])
