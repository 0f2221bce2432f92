# Indonesian short dates with the month's name: "29 Feb 2020", "29 Feb 2020 14:30", as every time on the site.
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
