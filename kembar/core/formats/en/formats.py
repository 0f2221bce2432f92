# English short dates without the month-first order: "29 Feb 2020", "29 Feb 2020 14:30".
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
