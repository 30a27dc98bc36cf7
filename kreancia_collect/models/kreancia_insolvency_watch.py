import logging
import re
from datetime import timedelta

import requests
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..groups import MANAGER_GROUP
from ..tools import insolvency as rules

_logger = logging.getLogger(__name__)

LOOK_BACK_DAYS = 550  # a procedure opened within the last 18 months still freezes earlier claims


class KreanciaInsolvency(models.Model):
    """The daily BODACC watch: customers with a SIREN and open invoices, looked up in batches.

    One request per :data:`tools.insolvency.BATCH_SIZE` SIRENs; announcements
    already recorded (``kreancia.insolvency.event``) are skipped, so running
    twice applies nothing twice. A request that fails leaves a log line and a
    to-do for the collection managers, and no guess: the customers of that
    batch are looked up again the next day.
    """

    _inherit = "kreancia.insolvency"  # pylint: disable=consider-merging-classes-inherited

    BODACC_TIMEOUT = 30

    @api.model
    def _cron_watch_bodacc(self, today=None):
        today = today or fields.Date.context_today(self)
        watched = self._watched_customers()
        sirens = sorted(watched)
        applied = failed = 0
        for start in range(0, len(sirens), rules.BATCH_SIZE):
            batch = sirens[start : start + rules.BATCH_SIZE]
            try:
                records = self._fetch_notices(batch, today - timedelta(days=LOOK_BACK_DAYS))
            except (requests.RequestException, ValueError) as error:
                failed += 1
                self._report_watch_failure(str(error), today)
                continue
            applied += len(self._apply_notices(records, watched))
        self._remind_deadlines(today)
        return {"watched": len(sirens), "applied": applied, "failed_batches": failed}

    @api.model
    def _watched_customers(self):
        """``{siren: [(customer id, company id)]}``: customers with a SIREN and open invoices, per company."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT p.company_registry, p.id, m.company_id
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN ('not_paid', 'partial')
                   AND p.company_registry IS NOT NULL AND p.company_registry != ''
                """
            )
        )
        watched = {}
        for registry, partner_id, company_id in self.env.cr.fetchall():
            digits = re.sub(r"\D", "", registry)
            if len(digits) in (9, 14):  # a SIREN, or a SIRET whose first nine digits are the SIREN
                watched.setdefault(digits[:9], []).append((partner_id, company_id))
        return watched

    @api.model
    def _fetch_notices(self, sirens, since):
        """The BODACC records of collective procedures for ``sirens`` published since ``since``, every page.

        :raises requests.RequestException: when the service cannot be reached or answers an error
        :raises ValueError: when its answer is not the expected JSON
        """
        records, offset = [], 0
        while True:
            params = dict(rules.query_params(sirens, since), offset=offset)
            response = requests.get(rules.API_URL, params=params, timeout=self.BODACC_TIMEOUT)
            response.raise_for_status()
            payload = response.json()
            page = payload.get("results")
            if not isinstance(page, list):
                raise ValueError(self.env._("unexpected answer from the BODACC service"))
            records += page
            offset += len(page)
            if not page or offset >= (payload.get("total_count") or 0):
                return records

    @api.model
    def _apply_notices(self, records, watched):
        """Record and apply each new judgment, oldest first; return the events created."""
        notices = [notice for notice in map(rules.read_notice, records) if notice and notice.announcement_id]
        notices.sort(key=lambda notice: (notice.judgment_date or notice.publication_date, notice.publication_date))
        Event = self.env["kreancia.insolvency.event"].sudo()
        created = Event
        for notice in notices:
            for siren in notice.sirens:
                for partner_id, company_id in watched.get(siren, ()):
                    if Event.search_count(
                        [
                            ("announcement_id", "=", notice.announcement_id),
                            ("partner_id", "=", partner_id),
                            ("company_id", "=", company_id),
                        ]
                    ):
                        continue
                    event = Event.create(self._event_values(notice, partner_id, company_id))
                    created |= event
                    self._apply_notice(notice, event)
        return created

    @api.model
    def _event_values(self, notice, partner_id, company_id):
        return {
            "company_id": company_id,
            "partner_id": partner_id,
            "announcement_id": notice.announcement_id,
            "publication_date": notice.publication_date,
            "judgment_date": notice.judgment_date,
            "kind": notice.kind,
            "event": notice.event,
            "court": notice.court,
            "representative": notice.representative,
            "text": notice.text,
        }

    @api.model
    def _apply_notice(self, notice, event):
        """An opening opens a procedure; a later judgment updates the customer's procedure in progress.

        A later judgment of a procedure opened before the watch began opens it too, from that judgment.
        """
        current = self.sudo().search(
            [
                ("partner_id", "=", event.partner_id.id),
                ("company_id", "=", event.company_id.id),
                ("state", "!=", "closed"),
            ],
            limit=1,
        )
        if current and notice.event != "opening":
            current._apply_event(notice, event)
        elif not current and notice.event in ("opening", "plan", "conversion") and notice.kind:
            self._open(event.partner_id, event.company_id, notice, event)

    @api.model
    def _report_watch_failure(self, reason, today):
        """A log line and, once a day, a to-do for each collection manager: nothing was guessed."""
        _logger.warning("BODACC watch: a batch of customers could not be looked up, nothing recorded: %s", reason)
        managers = self.env.ref(MANAGER_GROUP).sudo().all_user_ids.filtered(lambda user: user.active and not user.share)
        for user in managers:
            env = self.with_context(lang=user.lang).env
            summary = env._("BODACC watch failed")
            partner = user.company_id.partner_id
            if (
                self.env["mail.activity"]
                .sudo()
                .search_count(
                    [
                        ("res_model", "=", "res.partner"),
                        ("res_id", "=", partner.id),
                        ("user_id", "=", user.id),
                        ("summary", "=", summary),
                        ("date_deadline", "=", today),
                    ]
                )
            ):
                continue
            partner.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=summary,
                note=Markup("<p>%s</p>")
                % env._(
                    "The BODACC could not be read on %(date)s (%(reason)s): customers under a new insolvency "
                    "procedure may still be dunned. The watch tries again tomorrow; check the BODACC by hand "
                    "for the customers you are about to dun.",
                    date=format_date(env, today),
                    reason=reason,
                ),
                user_id=user.id,
            )
