"""One page size rule for every list: `limit` (1–500, default 50) and `offset`; the answer
is `{"count": <all matches>, "items": [...]}`."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500


class Page(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=2**63 - 1, description="How many items to skip.")


class Pagination(LimitOffsetPagination):
    Input = Page
