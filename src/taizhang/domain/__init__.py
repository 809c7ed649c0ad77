"""The domain: models, date phrases, calendars, amounts, scheduling, lights, investment and
reports' data. Pure: imports `taizhang.errors`/`taizhang.i18n` and nothing above."""
