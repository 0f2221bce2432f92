"""One page size rule for every list: `limit` (1–500, default 50) and `offset`; the answer
is `{"count": <all matches>, "items": [...]}`."""

from collections.abc import Callable, Iterable

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.renderers import JSONRenderer
from pydantic import create_model

from kembar.core.caching import kept_each

MAX_LIMIT = 500


class Page(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=2**63 - 1, description="How many items to skip.")


class Pagination(LimitOffsetPagination):
    Input = Page


def paged(schema: type[Schema]) -> type[Schema]:
    """The answer of a list of `schema` as `paginate(Pagination)` names and describes it
    (`Paged<Schema>`), for a list that pages itself (`kept_page`)."""
    return create_model(f"Paged{schema.__name__}", __base__=Schema, items=(list[schema], ...), count=(int, ...))


# The API's renderer (build_api), which `kept_page` renders its answers with as well.
RENDERER = JSONRenderer()


def kept_page(
    request: HttpRequest,
    queryset: QuerySet,
    page: Page,
    schema: type[Schema],
    rows: Callable[[list[int]], Iterable[Model]],
    subject: str,
) -> HttpResponse:
    """The page `page` of `queryset` (filtered and ordered) as `paginate(Pagination)` answers it
    (`{"items": [...], "count": n}`), each item `schema`'s of one row, kept in the cache under
    its `(subject, id)` stamp (`kembar.core.caching.kept_each`): only the rows not kept are read
    (`rows(ids)`, with what `schema` reads) and converted; the kept ones are neither read nor
    validated again. The same answer whoever asks: `schema` must show every caller the same."""
    ids = list(queryset.values_list("pk", flat=True)[page.offset : page.offset + page.limit])

    def convert(missing: list[int]) -> dict[int, dict]:
        return {row.pk: schema.model_validate(row, context={"request": request}).model_dump() for row in rows(missing)}

    items = kept_each(ids, lambda pk: f"kembar:api:{schema.__name__}:{pk}", lambda pk: (subject, pk), convert)
    content = RENDERER.render(request, {"items": items, "count": queryset.count()}, response_status=200)
    return HttpResponse(content, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")
