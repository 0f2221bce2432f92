"""What every API operation shares: malformed ids and bodies get JSON errors naming what is
wrong, and the OpenAPI document and the docs page describe every endpoint without other sites."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import path

from kembar.core.logs import RequestContextFilter
from tests.support.clients import errors_by_field

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "method, path, field",
    [
        ("get", "/api/places/kyoto", "place_id"),
        ("get", "/api/governments/1.5", "government_id"),
        ("get", "/api/partnerships/null,null", "partnership_id"),
        ("patch", "/api/partnerships/abc", "partnership_id"),
        ("delete", "/api/partnerships/abc", "partnership_id"),
    ],
)
def test_an_id_that_is_not_a_number_is_a_json_422_naming_it(api, method, path, field):
    """Found by fuzzing: such paths used to miss every route and get Django's HTML 404 page."""
    response = api(method, path, as_="bandung_editor", body={} if method == "patch" else None)
    assert response["Content-Type"].startswith("application/json")
    assert field in errors_by_field(response)


def test_a_body_that_is_not_json_is_a_400_and_an_empty_one_a_422(client, tokens):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['bandung_editor']}"}
    response = client.post("/api/partnerships", "{not json", content_type="application/json", **auth)
    assert response.status_code == 400
    assert "body" in response.json()["detail"]
    response = client.post("/api/partnerships", "", content_type="application/json", **auth)
    assert errors_by_field(response) == {None: "The request body must be a JSON object: Field required"}


def test_the_openapi_document_lists_every_endpoint_with_enums(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert set(paths["/api/partnerships"]) == {"get", "post"}
    assert set(paths["/api/partnerships/{partnership_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/governments"]) == {"get", "post"}
    assert set(paths["/api/governments/{government_id}"]) == {"get", "patch"}
    assert set(paths["/api/places"]) == {"get"} and set(paths["/api/places/{place_id}"]) == {"get"}
    components = schema["components"]
    assert "sister_city" in components["schemas"]["Kind"]["enum"]
    assert (
        "suspended" in components["schemas"]["Status"]["enum"]
        and "dormant" not in components["schemas"]["Status"]["enum"]
    )
    assert "prefecture" in components["schemas"]["Level"]["enum"]
    assert components["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert {} in paths["/api/partnerships"]["get"]["security"]
    assert {} not in paths["/api/partnerships"]["post"]["security"]
    assert "field" in schema["info"]["description"]


def test_the_docs_page_loads_nothing_from_other_sites(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        url = f"/api/docs/assets/{asset}"
        assert url in html
        served = client.get(url)
        assert served.status_code == 200
        assert b"".join(served.streaming_content)
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


def test_an_unknown_path_and_a_wrong_method_answer_json_not_html(client):
    """An outside test found Django's HTML 404 and a bare-text 405 under /api/."""
    missing = client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert missing.json() == {
        "detail": "There is no API operation at /api/no-such-thing; the operations are listed at /api/docs."
    }
    wrong = client.delete("/api/places")
    assert wrong.status_code == 405 and wrong["Content-Type"].startswith("application/json")
    assert wrong["Allow"] == "GET"
    assert wrong.json() == {"detail": "DELETE is not allowed at /api/places; allowed: GET."}


def test_a_body_over_the_size_limit_is_a_json_413(client, tokens, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['bandung_editor']}"}
    body = json.dumps({"notes": "x" * 4000})
    response = client.post("/api/partnerships", body, content_type="application/json", **auth)
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "The request body is larger than 1.0\xa0KB."}


def broken(request):
    raise RuntimeError("database went away")


urlpatterns = [path("api/broken", broken)]


@pytest.mark.urls(__name__)
def test_a_server_error_under_the_api_is_json_with_the_request_id(client):
    client.raise_request_exception = False
    response = client.get("/api/broken", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "The server failed to answer this request; the error is logged under request id req-500."
    }
    assert response["X-Request-ID"] == "req-500"


@pytest.fixture
def request_errors(caplog):
    """The records of Django's `django.request` logger, each with the request id the project's
    handler adds. ("django" propagates no further in LOGGING, so caplog's handler is put on the
    logger itself; a record that reaches it by two ways is one record.)"""
    logger = logging.getLogger("django.request")
    context = RequestContextFilter()
    caplog.handler.addFilter(context)
    logger.addHandler(caplog.handler)
    yield lambda: list({id(r): r for r in caplog.records if r.name == "django.request"}.values())
    logger.removeHandler(caplog.handler)
    caplog.handler.removeFilter(context)


def test_a_server_error_in_an_api_operation_is_logged_once_with_its_traceback(client, request_errors, monkeypatch):
    """The JSON answer replaced Django's HTML one without its "already logged" mark, so Django
    logged the 500 a second time, without the traceback."""

    def fails(*args, **kwargs):
        raise RuntimeError("the gazetteer index is gone")

    monkeypatch.setattr("kembar.gazetteer.api.search_places", fails)
    client.raise_request_exception = False
    response = client.get("/api/places?q=kyoto", headers={"X-Request-ID": "req-once"})
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    [record] = request_errors()
    assert record.levelno == logging.ERROR and record.request_id == "req-once"
    assert record.exc_info and str(record.exc_info[1]) == "the gazetteer index is gone"


def test_an_unknown_api_path_is_logged_once(client, request_errors):
    """The other side of the mark kept above: an error Django had not logged yet is logged."""
    response = client.get("/api/no-such-thing", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    [record] = request_errors()
    assert record.levelno == logging.WARNING and record.request_id == "req-404"


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
