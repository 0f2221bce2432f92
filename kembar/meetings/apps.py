from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "kembar.meetings"
    verbose_name = _("Meetings and library")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.meetings.reminders.overdue_action_items")

        from kembar.partnerships.concerns import describe

        from .models import ActionItem, Attachment, LibraryItem, Meeting, Participant

        # What a change concerns (kembar.core.stamps); an office's hours (of any office): everything.
        describe(Meeting, partnership="partnership_id")
        describe(Participant, partnership="meeting.partnership_id", governments=["government_id"])
        describe(ActionItem, partnership="meeting.partnership_id", governments=["government_id"])
        describe(Attachment, partnership="meeting.partnership_id")
        describe(LibraryItem, partnership="partnership_id", governments=["government_id"])
