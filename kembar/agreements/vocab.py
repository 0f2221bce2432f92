"""The choices of agreements: codes stored in the database, labels shown in both languages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    LOI = "loi", _("Letter of Intent")
    MOU = "mou", _("Memorandum of Understanding")
    ARRANGEMENT = "arrangement", _("Implementing arrangement / addendum")


class Relation(models.TextChoices):
    """How an agreement links to an earlier one of the same partnership."""

    FOLLOWS = "follows", _("Follows")  # the next step: an MoU after the LoI, an arrangement under the MoU
    RENEWS = "renews", _("Renews")  # the same agreement again, for a new period


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROCEDURE = "in_procedure", _("In procedure")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class StageStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    ACTIVE = "active", _("In progress")
    DONE = "done", _("Complete")


class Action(models.TextChoices):
    START = "start", _("Started")
    ADVANCE = "advance", _("Advanced")
    BACK = "back", _("Sent back")
    TERMINATE = "terminate", _("Terminated")
    REJECT = "reject", _("Rejected")


class StageOwner(models.TextChoices):
    """The party that acts on a procedure stage (accounts.permissions.can_act_on_stage)."""

    OFFICE = "office", _("The office")
    DPRD = "dprd", _("The regional parliament (DPRD), recorded by the office")
    PROVINCE = "province", _("The provincial government (governor)")
    KEMENDAGRI = "kemendagri", _("Ministry of Home Affairs (Kemendagri)")
    KEMLU = "kemlu", _("Ministry of Foreign Affairs (Kemlu)")
    PARTNER = "partner", _("The partner")
