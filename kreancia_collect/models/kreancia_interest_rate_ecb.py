import logging
from collections import Counter
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.tools.misc import format_date

from ..groups import MANAGER_GROUP
from ..tools import ecb, legal

_logger = logging.getLogger(__name__)


class KreanciaInterestRate(models.Model):
    """Keeps the rate table up to date from the ECB Data Portal and warns managers of a missing rate.

    ``_cron_fetch_ecb_rates`` (daily) records every half-year that has begun
    and has no row, from the ECB main refinancing rate in force on its first
    day; it never changes a row that exists. A failed fetch records nothing
    and leaves the collection managers a to-do; so does a coming half-year
    still unrecorded ``RATE_NOTICE_DAYS`` before it begins.
    """

    _inherit = "kreancia.interest.rate"

    ECB_TIMEOUT = 30  # seconds
    RATE_NOTICE_DAYS = 15  # days before a half-year begins when a missing rate is announced

    @api.model
    def _cron_fetch_ecb_rates(self, today=None):
        """Scheduled action: record the begun half-years from the ECB, then warn of what is still missing."""
        today = today or fields.Date.context_today(self)
        rates = self.sudo()
        missing = rates._begun_half_years_missing(today)
        if missing:
            rates._fetch_ecb_rates(missing, today)
        rates._check_coming_half_year(today)
        rates._close_rate_activities([*missing, legal.half_year(today), rates._coming_half_year(today)])

    # ------------------------------------------------------------------
    # ECB
    # ------------------------------------------------------------------

    @api.model
    def _begun_half_years_missing(self, today):
        """``[(year, half)]`` from the first recorded half-year through today's that have no row."""
        table = self._rate_table()
        first = ecb.half_year_start(min(table)) if table else today
        return [key for key in legal.half_years_between(first, today) if key not in table]

    @api.model
    def _ecb_observations(self):
        """``[(date, rate)]`` of the ECB main refinancing rate, read from the Data Portal.

        :raises requests.RequestException: when the Data Portal cannot be reached or answers an error
        :raises ecb.EcbFormatError: when its answer cannot be read
        """
        response = requests.get(
            ecb.DATA_URL, params={"format": "csvdata"}, headers={"Accept": "text/csv"}, timeout=self.ECB_TIMEOUT
        )
        response.raise_for_status()
        return ecb.parse_csv(response.content.decode("utf-8", errors="replace"))

    @api.model
    def _fetch_ecb_rates(self, keys, today):
        """Record the half-years ``keys`` from the ECB rate in force on their first day.

        The late-payment rate follows (ECB + 10 points); the legal interest rate,
        set by decree, stays empty for a person to enter. Nothing is recorded for
        a half-year whose rate is not certain: the managers get a to-do instead.

        :return: the rows created
        """
        created = self.browse()
        try:
            observations = self._ecb_observations()
        except (requests.RequestException, ecb.EcbFormatError) as error:
            for key in keys:
                self._report_fetch_failure(key, str(error) or type(error).__name__, today)
            return created
        for key in keys:
            start = ecb.half_year_start(key)
            found = ecb.rate_in_force(observations, start)
            if found is None:
                self._report_fetch_failure(key, f"no observation of {ecb.SERIES_KEY} on or before {start}", today)
                continue
            if self.search_count([("date_start", "=", start)]):
                continue  # entered by a person meanwhile: theirs stands
            observed, ecb_rate = found
            created |= self.create(
                {
                    "date_start": start,
                    "ecb_rate": ecb_rate,
                    "note": self.env._(
                        "Fetched from the ECB Data Portal (%(series)s): rate in force since %(date)s.",
                        series=ecb.SERIES_KEY,
                        date=observed.isoformat(),
                    ),
                }
            )
            _logger.info("ECB main refinancing rate %s%% recorded for half-year %s of %s", ecb_rate, key[1], key[0])
        return created

    def _report_fetch_failure(self, key, reason, today):
        year, half = key
        _logger.warning(
            "Could not fetch the ECB main refinancing rate for half-year %s of %s, nothing recorded: %s",
            half,
            year,
            reason,
        )
        self._notify_rate_missing(
            key,
            lambda env, _user: env._(
                "The ECB rate in force on %(date)s could not be fetched from the ECB Data Portal (%(reason)s). "
                "Until the half-year is recorded in Accounting > Configuration > Collection > Late-Payment "
                "Rates, letters and formal notices to professional customers are refused.",
                date=format_date(env, ecb.half_year_start(key)),
                reason=reason,
            ),
            today,
        )

    # ------------------------------------------------------------------
    # Coming half-year
    # ------------------------------------------------------------------

    @api.model
    def _coming_half_year(self, today):
        return legal.half_year(legal.half_year_end(today) + timedelta(days=1))

    @api.model
    def _check_coming_half_year(self, today):
        """From ``RATE_NOTICE_DAYS`` before a half-year begins, task the managers while it has no row."""
        key = self._coming_half_year(today)
        start = ecb.half_year_start(key)
        if (start - today).days > self.RATE_NOTICE_DAYS or key in self._rate_table():
            return
        failing = self._letters_failing_on(start)

        def note(env, user):
            count = None if failing is None else sum(failing[company.id] for company in user.company_ids)
            if count is None:
                return env._(
                    "From %(date)s, letters and formal notices to professional customers are refused until "
                    "the half-year's rates are recorded in Accounting > Configuration > Collection > "
                    "Late-Payment Rates.",
                    date=format_date(env, start),
                )
            return env._(
                "%(count)s letter(s) or formal notice(s) planned on %(date)s would fail. The ECB rate is "
                "fetched on that day; the legal interest rate (set by decree) is entered in Accounting > "
                "Configuration > Collection > Late-Payment Rates.",
                count=count,
                date=format_date(env, start),
            )

        self._notify_rate_missing(key, note, today)

    @api.model
    def _letters_failing_on(self, day):
        """``Counter({company_id: n})`` of the letters a run on ``day`` would refuse for a missing rate.

        Read from the run preview on ``day``; None when the preview cannot be computed.
        """
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        try:
            with self.env.cr.savepoint():
                preview = (
                    self.env["kreancia.escalation.preview"]
                    .sudo()
                    .with_context(allowed_company_ids=companies.ids)
                    .create({"date": day})
                )
                preview.action_compute()
                failing = Counter(line.company_id.id for line in preview.line_ids if line.rate_warning)
                preview.unlink()
        except Exception:  # the warning matters more than its count
            _logger.exception("Could not count the letters planned on %s", day)
            return None
        return failing

    # ------------------------------------------------------------------
    # Managers' to-dos
    # ------------------------------------------------------------------

    @api.model
    def _rate_managers(self):
        return self.env.ref(MANAGER_GROUP).sudo().all_user_ids.filtered(lambda user: user.active and not user.share)

    @api.model
    def _rate_activity_summary(self, env, key):
        year, half = key
        return env._("Late-payment rate of half-year %(half)s of %(year)s not recorded", half=half, year=year)

    @api.model
    def _rate_activities(self, user, summary):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", user.company_id.partner_id.id),
                    ("user_id", "=", user.id),
                    ("summary", "=", summary),
                ]
            )
        )

    @api.model
    def _notify_rate_missing(self, key, note, today):
        """One to-do per collection manager, on their company, naming the half-year ``key``.

        A manager who already has it open gets its note refreshed instead of a second one.

        :param note: ``note(env, user)``, the text in the manager's language (``env.lang``)
        """
        for user in self._rate_managers():
            env = self.with_context(lang=user.lang).env
            summary = self._rate_activity_summary(env, key)
            text = note(env, user)
            existing = self._rate_activities(user, summary)
            if existing:
                existing.write({"note": text})
                continue
            user.company_id.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=max(today, ecb.half_year_start(key)),
                summary=summary,
                note=text,
                user_id=user.id,
            )

    @api.model
    def _close_rate_activities(self, keys):
        """Mark done the managers' to-dos of the half-years ``keys`` that now have their row."""
        table = self._rate_table()
        recorded = [key for key in set(keys) if key in table]
        for user in self._rate_managers() if recorded else ():
            env = self.with_context(lang=user.lang).env
            for key in recorded:
                self._rate_activities(user, self._rate_activity_summary(env, key)).action_feedback(
                    feedback=env._("Rate recorded.")
                )
