from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.accounts.permissions import console_reader
from kembar.agreements import drafts, presenters, services
from kembar.core.outputs import check_output, write_output


class Command(BaseCommand):
    help = (
        "Write a draft (LoI, MoU), the terms of reference (KAK) outline or the stage checklist of an agreement, "
        "Indonesian beside the partner's language or English, as .docx or PDF: "
        "kembar agreement-template --agreement 12 --kind mou --format docx --output mou.docx"
    )

    def add_arguments(self, parser):
        parser.add_argument("--agreement", required=True, help="The agreement's id (as in /agreements/ID/)")
        parser.add_argument("--kind", required=True, help="loi, mou, tor (terms of reference) or checklist")
        parser.add_argument("--format", dest="fmt", required=True, help="docx or pdf")
        parser.add_argument("--output", required=True, help="The file to write")

    def handle(self, *args, agreement, kind, fmt, output, **options):
        try:
            kind, fmt = drafts.check_options(kind, fmt)
        except drafts.DraftError as error:
            raise CommandError(str(error)) from None
        record = None
        if str(agreement).strip().isdigit():
            record = services.agreement_queryset().filter(pk=int(agreement)).first()
        if record is None:
            raise CommandError(_("No agreement with id %(id)s.") % {"id": agreement})
        check_output(output)
        made = drafts.generate(record, kind, fmt, zone=presenters.viewer_timezone(console_reader(), record))
        write_output(output, made.content)
        self.stdout.write(f"{output}: {record.title}, {kind}, {fmt.upper()}, {len(made.content):,} bytes")
