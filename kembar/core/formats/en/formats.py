# English dates without the month-first order: "29 Feb 2020", "29 Feb 2020 14:30".
# The names after Django's own are kembar's (read by kembar.core.formats.pattern): the pieces of
# kembar.core.times' moments and spans, and the long date of a signing ("29 February 2020").
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j M"
WEEKDAY_DATE_FORMAT = "l, j F Y"
MOMENT_FORMAT = "j M Y H:i"
MOMENT_WEEKDAY_FORMAT = "D j M Y H:i"
MONTH_DAY_TIME_FORMAT = "j M H:i"
MONTH_DAY_TIME_WEEKDAY_FORMAT = "D j M H:i"
# A range of days: (first day, between, last day) when both are in one month, in one year, or not.
RANGE_SAME_MONTH = ("j", "–", "j M Y")
RANGE_SAME_YEAR = ("j M", " – ", "j M Y")
RANGE_OTHER_YEAR = ("j M Y", " – ", "j M Y")
RANGE_SEPARATOR = " – "
