# Japanese dates as Japanese offices write them: "2020年2月29日", "2020年2月29日 14:30", the day of
# the week after the date in brackets: "2020年2月29日(土) 14:30". Ranges: "2027年3月1日～14日".
# The names after Django's own are kembar's (read by kembar.core.formats.pattern).
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
DATE_FORMAT = "Y年n月j日"
MONTH_DAY_FORMAT = "n月j日"
WEEKDAY_DATE_FORMAT = "Y年n月j日(l)"
MOMENT_FORMAT = "Y年n月j日 H:i"
MOMENT_WEEKDAY_FORMAT = "Y年n月j日(D) H:i"
MONTH_DAY_TIME_FORMAT = "n月j日 H:i"
MONTH_DAY_TIME_WEEKDAY_FORMAT = "n月j日(D) H:i"
RANGE_SAME_MONTH = ("Y年n月j日", "～", "j日")
RANGE_SAME_YEAR = ("Y年n月j日", "～", "n月j日")
RANGE_OTHER_YEAR = ("Y年n月j日", "～", "Y年n月j日")
RANGE_SEPARATOR = "～"
