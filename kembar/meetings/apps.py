from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "kembar.meetings"
    verbose_name = _("Meetings and library")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.meetings.reminders.overdue_action_items")

        from kembar.partnerships.concerns import describe

        from .models import ActionItem, Attachment, LibraryItem, Meeting, OfficeHours, Participant

        # What a change concerns (kembar.core.stamps).
        describe(Meeting, partnership="partnership_id")
        describe(Participant, partnership="meeting.partnership_id", governments=["government_id"])
        describe(ActionItem, partnership="meeting.partnership_id", governments=["government_id"])
        describe(Attachment, partnership="meeting.partnership_id")
        describe(LibraryItem, partnership="partnership_id", governments=["government_id"])
        describe(OfficeHours, governments=["organisation.local_government_id"])
