"""The campaign's fixed facts, printed on leaflets and shown on pages: defined here once."""

import datetime as dt

# Vietnam's time (UTC+7, no daylight saving): the database keeps UTC; people read this.
TIMEZONE = dt.timezone(dt.timedelta(hours=7), "ICT")
HOTLINE = "1800.6838"
HOTLINE_TEL = "18006838"
# The brand colour: the app bar, the manifest's theme colour, charts and icons. app.css sets
# the same value as --brand (a test checks), since a static stylesheet cannot read Python.
BRAND_COLOUR = "#0b4f6c"
