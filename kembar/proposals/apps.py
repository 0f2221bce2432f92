from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "kembar.proposals"
    verbose_name = _("Proposals from outside")

    def ready(self):
        from kembar.partnerships.concerns import describe

        from .models import Decision, Proposal, ProposalDocument

        # What a change concerns (kembar.core.stamps).
        describe(Proposal, partnership="partnership_id", governments=["government_id", "proposer_government_id"])
        describe(ProposalDocument, governments=["proposal.government_id", "proposal.proposer_government_id"])
        describe(Decision, governments=["proposal.government_id", "proposal.proposer_government_id"])
