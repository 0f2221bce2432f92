import pytest


@pytest.fixture(autouse=True)
def no_national_body_on_the_platform(request):
    """Most agreement tests walk the whole procedure as the office: with no body of the
    province, Kemendagri or Kemlu covering Indonesia on the platform, the office records their
    stages. The `oversight` fixture's body here is a reader of Indonesia without a party (it
    acts on no stage); test_chain.py, which overrides this fixture, has each party act. Tests
    that build their own cast (the browser tests) are left alone."""
    if "orgs" not in request.fixturenames:
        return
    body = request.getfixturevalue("orgs")["oversight"]
    body.party = ""
    body.save()
