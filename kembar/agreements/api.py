"""/api/agreements: agreements, their procedure and its audit trail. The views translate HTTP
to `agreements.services` and `accounts.permissions`, where the rules live.

No `from __future__ import annotations`: ninja evaluates the annotations of paginated views.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.api import params, uploads
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, DateOrNull, InputSchema, omitted, version_read
from kembar.api.uploads import download_resolver
from kembar.core.languages import Language
from kembar.core.uploads import download_response
from kembar.partnerships.api import visible_partnership
from kembar.partnerships.vocab import Field as CooperationField

from . import drafts, presenters, services
from .models import (
    AgreementKind,
    AgreementStage,
    AgreementStatus,
    ProcedureTemplate,
    Relation,
    StageDocument,
    StageStatus,
)
from .vocab import StageOwner

router = Router(tags=["agreements"], auth=READ)

# Signed in (a token or a session): the drafts are made on request, for those with an office.
SIGNED_IN = WRITE

NOT_FOUND = gettext_lazy("No agreement with id %(id)s.")
STAGE_NOT_FOUND = gettext_lazy("No agreement stage with id %(id)s.")
DOCUMENT_NOT_FOUND = gettext_lazy("No document with id %(id)s.")


class AgreementDocumentOut(Schema):
    id: int
    title: str
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    url: str = Field(description="Download (the same permission as reading the agreement).")
    download: str = Field(description="Download through the API (the same permission).")

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    resolve_download = download_resolver("download_agreement_document")


class AgreementStageOut(Schema):
    id: int
    position: int
    code: str = Field(alias="template_stage.code")
    name: str
    evidence: str = Field(alias="template_stage.evidence")
    evidence_required: bool = Field(alias="template_stage.evidence_required")
    expected_days: int | None = Field(alias="template_stage.expected_days")
    before_signing: bool = Field(alias="template_stage.before_signing")
    owner: StageOwner = Field(alias="template_stage.owner", description="The party that acts on the stage.")
    is_signing: bool = Field(alias="template_stage.is_signing")
    status: StageStatus
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    documents: list[AgreementDocumentOut]

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())


class AgreementOut(Schema):
    id: int
    partnership_id: int
    procedure: str
    kind: AgreementKind
    title: str
    fields: list[CooperationField]
    signatories: str
    signed_on: dt.date | None
    effective_on: dt.date | None
    validity_years: int | None
    ends_on: dt.date | None
    previous_id: int | None = Field(description="The earlier agreement of the partnership this one follows or renews.")
    relation: Relation | Literal[""] = Field(
        description="`follows` (an MoU after the LoI) or `renews`; empty without one."
    )
    status: AgreementStatus = Field(description="In force and expired follow from the dates of a signed agreement.")
    languages: list[Language]
    version: int = Field(description="Send it back with a change to refuse it if someone saved in between.")
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.template.code

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.current_status()


class AgreementDetailOut(AgreementOut):
    stages: list[AgreementStageOut]

    @staticmethod
    def resolve_stages(obj):
        return services.stages_of(obj)


class AgreementChangeOut(Schema):
    field: str
    old: str
    new: str


class AgreementAuditOut(Schema):
    date: dt.datetime
    user: str
    object: str
    type: Literal["created", "changed", "deleted", ""]
    changes: list[AgreementChangeOut]

    @staticmethod
    def resolve_user(obj) -> str:
        return obj["username"]


class AgreementIn(InputSchema):
    partnership_id: int = Field(ge=1, le=MAX_ID)
    procedure: str | None = Field(
        None,
        description="The procedure template's code: `ksdpl`, `generic`, or one an administrator added. Left out: "
        "the procedure of the country of the caller's government in this partnership (`ksdpl` for an Indonesian "
        "office), else `generic`.",
    )
    kind: AgreementKind | None = Field(
        None, description="Left out: `loi` under `ksdpl` while the partnership has no Letter of Intent, else `mou`."
    )
    title: str = Field(min_length=1, max_length=300)
    fields: list[CooperationField] = []
    signatories: str = ""
    languages: list[Language] = Field([], max_length=len(Language.values))
    effective_on: DateOrNull = None
    validity_years: int | None = Field(None, ge=1, le=100)
    ends_on: DateOrNull = Field(None, description="Only without validity_years (which computes it).")
    previous_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="An earlier agreement of the same partnership that this one follows or renews.",
    )
    relation: Relation | None = Field(None, description="`follows` or `renews`: required with `previous_id`.")


class AgreementPatch(InputSchema):
    kind: AgreementKind = omitted()
    title: str = omitted(min_length=1, max_length=300)
    fields: list[CooperationField] = omitted("Replaces the whole list.")
    signatories: str = omitted()
    languages: list[Language] = omitted(max_length=len(Language.values))
    signed_on: DateOrNull = omitted("Only of a signed agreement (a correction).")
    effective_on: DateOrNull = omitted()
    validity_years: int | None = omitted(ge=1, le=100)
    ends_on: DateOrNull = omitted()
    previous_id: int | None = omitted(ge=1, le=MAX_ID)
    relation: Relation | None = omitted("`follows` or `renews`; null with a null `previous_id`.")
    version: int = version_read()


class AgreementAdvanceIn(InputSchema):
    version: int = version_read()
    signed_on: DateOrNull = Field(None, description="Required to complete the signing stage; not in the future.")
    effective_on: DateOrNull = None
    validity_years: int | None = Field(None, ge=1, le=100)
    reason: str = Field("", max_length=2000)


class AgreementReasonIn(InputSchema):
    version: int = version_read()
    reason: str = Field(min_length=1, max_length=2000)


def _get_visible(user, agreement_id: int):
    return params.get_or_404(services.visible_agreements(user), agreement_id, NOT_FOUND)


def _detail(agreement_id: int):
    return services.agreement_queryset().get(pk=agreement_id)


@router.get("", response={200: list[AgreementOut], 422: ValidationErrors}, summary="List agreements")
@paginate(Pagination)
def list_agreements(
    request,
    partnership: int | None = Query(None, ge=1, le=MAX_ID, description="Agreements of this partnership."),
    kind: AgreementKind | None = Query(None),
):
    """Agreements the caller may read (those of public partnerships, and for members those of
    their own government's partnerships), soonest ending first."""
    qs = services.visible_agreements(request.auth)
    if partnership:
        qs = qs.filter(partnership_id=partnership)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("ends_on", "-updated", "-id")


@router.get("/{agreement_id}", response={200: AgreementDetailOut, **ERRORS}, summary="One agreement")
def get_agreement(request, agreement_id: int):
    """The agreement with its stages and their documents."""
    return _get_visible(request.auth, agreement_id)


@router.get(
    "/{agreement_id}/history",
    response={200: list[AgreementAuditOut], **ERRORS},
    summary="The audit trail of an agreement",
)
def agreement_history(request, agreement_id: int):
    """Every recorded change of the agreement, its stages and its documents, newest first."""
    return presenters.audit_trail(_get_visible(request.auth, agreement_id))


@router.get(
    "/{agreement_id}/template",
    auth=SIGNED_IN,
    response=ERRORS,
    summary="A draft, terms of reference or stage checklist of an agreement",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document, as an attachment (private, not cached).",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    drafts.render.DOCX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def agreement_template(
    request,
    agreement_id: int,
    kind: Literal["loi", "mou", "tor", "checklist"] | None = Query(
        None,
        description="loi, mou (drafts), tor (terms of reference, KAK), checklist (the procedure's stages); "
        "default: the draft of the agreement's own kind (an arrangement: mou).",
    ),
    fmt: Literal["docx", "pdf"] = Query("pdf", alias="format", description="docx or pdf (default)."),
):
    """The document made from the agreement's data, Indonesian beside the partner's language or
    English (docs/agreements.md#drafts-and-templates). Signed-in callers who read the agreement;
    visitors get 401, an agreement the caller may not read is a 404."""
    agreement = _get_visible(request.auth, agreement_id)
    if not permissions.can_download_agreement_drafts(request.auth, agreement):
        raise PermissionDenied(_("Sign in to download the drafts of an agreement."))
    made = drafts.generate(
        agreement,
        kind or drafts.default_kind(agreement),
        fmt,
        zone=presenters.viewer_timezone(request.auth, agreement),
    )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("", auth=WRITE, response={201: AgreementDetailOut, **WRITE_ERRORS}, summary="Create an agreement")
def create_agreement(request, payload: AgreementIn):
    """A draft agreement of a partnership, with the stages of its procedure. Only editors of
    either partner's office (and platform administrators) may; a partnership the caller may
    not read is a 404."""
    data = payload.dict()
    partnership = visible_partnership(request.auth, data.pop("partnership_id"))
    code = data.pop("procedure")
    template = ProcedureTemplate.objects.filter(code=code).first() if code is not None else None
    if code is not None and template is None:
        raise ValidationError({"procedure": [_("Unknown procedure “%(value)s”.") % {"value": payload.procedure}]})
    agreement = services.create_agreement(request.auth, partnership, template=template, **data)
    return Reply(201, _detail(agreement.pk))


@router.patch(
    "/{agreement_id}",
    auth=WRITE,
    response={200: AgreementDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Change an agreement",
)
def update_agreement(request, agreement_id: int, payload: AgreementPatch):
    """Change some particulars; leave out the ones to keep. The procedure moves with /advance
    and /back."""
    agreement = _get_visible(request.auth, agreement_id)
    data, version = params.sent_changes(payload)
    services.update_agreement(request.auth, agreement, expected_version=version, **data)
    return _detail(agreement.pk)


@router.post(
    "/{agreement_id}/advance",
    auth=WRITE,
    response={200: AgreementDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Complete the current stage",
)
def advance_agreement(request, agreement_id: int, payload: AgreementAdvanceIn):
    """Complete the stage in progress (with its evidence uploaded) and start the next; a draft
    starts its first stage. Completing the signing stage needs `signed_on`."""
    agreement = _get_visible(request.auth, agreement_id)
    data = payload.dict()
    version = data.pop("version")
    services.advance(request.auth, agreement, expected_version=version, **data)
    return _detail(agreement.pk)


@router.post(
    "/{agreement_id}/back",
    auth=WRITE,
    response={200: AgreementDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Go back one stage",
)
def back_agreement(request, agreement_id: int, payload: AgreementReasonIn):
    """Return to the stage before the one in progress; the reason is recorded."""
    agreement = _get_visible(request.auth, agreement_id)
    services.go_back(request.auth, agreement, expected_version=payload.version, reason=payload.reason)
    return _detail(agreement.pk)


@router.post(
    "/{agreement_id}/reject",
    auth=WRITE,
    response={200: AgreementDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Reject the agreement at the current stage",
)
def reject_agreement(request, agreement_id: int, payload: AgreementReasonIn):
    """The party of the stage in progress (the provincial bureau, Kemendagri, Kemlu or the
    office, as the stage's `owner` says) refuses the agreement with its reasons: the procedure
    ends and the agreement is terminated. Anyone else: 403."""
    agreement = _get_visible(request.auth, agreement_id)
    services.reject(request.auth, agreement, expected_version=payload.version, reason=payload.reason)
    return _detail(agreement.pk)


class DocumentIn(Schema):
    title: str = Field(
        "",
        max_length=200,
        description="The document's title; the same title again is its next version. Empty: the file's name.",
    )


@uploads.upload_operation(
    router,
    "/stages/{stage_id}/documents",
    AgreementDocumentOut,
    auth=WRITE,
    summary="Upload a stage document",
    what=(
        "Evidence of a stage (the stage's id is in the agreement's `stages`), as on the agreement's "
        "page: editors of either partner's office; not of a terminated agreement. `title` is a form "
        "field."
    ),
)
def upload_document(request, stage_id: int, payload: Form[DocumentIn], file: File[UploadedFile]):
    stage = params.get_or_404(
        AgreementStage.objects.select_related("agreement__partnership", "template_stage").filter(
            agreement__in=services.visible_agreements(request.auth)
        ),
        stage_id,
        STAGE_NOT_FOUND,
    )
    allowed = permissions.can_edit_agreement(request.auth, stage.agreement)
    refusal = _("Only editors of either partner's office may change its agreements.")
    uploads.checked_upload(file, allowed=allowed, refusal=refusal)
    return Reply(201, services.upload_document(request.auth, stage, file, title=payload.title))


@uploads.download_operation(
    router,
    "/documents/{document_id}",
    url_name="download_agreement_document",
    summary="Download a stage document",
    what="document",
)
def download_document(request, document_id: int):
    """Whoever reads the agreement downloads its documents."""
    document = params.get_or_404(
        StageDocument.objects.filter(stage__agreement__in=services.visible_agreements(request.auth)),
        document_id,
        DOCUMENT_NOT_FOUND,
    )
    return download_response(document.file, document.filename, document.content_type)


oversight_router = Router(tags=["oversight"], auth=READ)


class WaitingStageOut(Schema):
    agreement_id: int
    agreement: str = Field(alias="agreement.title")
    kind: AgreementKind = Field(alias="agreement.kind")
    partnership_id: int = Field(alias="agreement.partnership_id")
    partnership: str
    stage_id: int = Field(alias="id")
    stage: str = Field(alias="template_stage.code")
    stage_name: str = Field(alias="name")
    owner: StageOwner = Field(alias="template_stage.owner")
    since: dt.datetime = Field(alias="started_at")
    days_waiting: int
    expected_days: int | None = Field(alias="template_stage.expected_days")
    overdue: bool
    url: str

    @staticmethod
    def resolve_partnership(obj) -> str:
        p = obj.agreement.partnership
        return f"{p.government_a.name} – {p.government_b.name}"

    @staticmethod
    def resolve_days_waiting(obj) -> int:
        return services.days_waiting(obj)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return services.is_overdue(obj)

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.agreement.get_absolute_url()


@oversight_router.get("/queue", response={200: list[WaitingStageOut], 422: ValidationErrors}, summary="Stages waiting")
@paginate(Pagination)
def oversight_queue(request):
    """The agreement stages waiting for the calling oversight body: its party's stages (the
    governor's for a provincial bureau, Kemendagri's, Kemlu's) of agreements in its scope, longest
    waiting first, with days waiting, expected days and whether overdue. Empty by rule for
    anyone who is not an editor of an oversight body (an office's own stages are in its
    queue page, /agreements/queue/); a platform administrator sees every stage waiting at a
    national or provincial body."""
    return services.waiting_for(request.auth, oversight_only=True)
