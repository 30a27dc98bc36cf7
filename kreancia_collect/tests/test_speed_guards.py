"""Guards of the speed layer (``speed/``): each fast path against Odoo's own path on the same input.

The fast paths lean on private Odoo APIs (listed in ``readme/DEVELOP.md``);
when an Odoo update changes what they stand in for, a test here fails
instead of the run writing something Odoo would not have written.
"""

import contextlib
import io
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount, formatLang
from odoo.tools.pdf import PdfFileReader

from odoo.addons.mail.models.mail_render_mixin import format_date

from ..models.kreancia_intervention_letter import LETTER_REPORT
from ..speed.bulk import insert_records, insert_relations
from ..speed.formatting import BatchFormatter
from .common import KreanciaCommon, pdf_text


class _RolledBack(Exception):
    """Ends a savepoint: the other path then starts from the same database."""


def _plain(record, name, new_ids):
    """A field's value as a reader sees it, the new records' own ids replaced by their rank."""
    value = record[name]
    if hasattr(value, "_ids"):
        return (value._name, tuple(new_ids.get((value._name, id_), id_) for id_ in value.ids))
    rank = new_ids.get((record._name, record.id))
    if name == "display_name" and rank:
        return value.replace(f"{record._name},{record.id}", f"{record._name},{rank}")
    return value


def _unordered(snapshot):
    """``snapshot`` with its lists of records as sets: ``create()`` caches a list in the order given, a fresh
    read gives the model's order (the order of the invoice lines, which the e-mail follows, is checked apart)."""
    return {
        key: [
            {name: frozenset(value[1]) if isinstance(value, tuple) else value for name, value in values.items()}
            for values in rows
        ]
        for key, rows in snapshot.items()
    }


@tagged("post_install", "-at_install")
class TestBulkGuard(KreanciaCommon):
    """``insert_records`` / ``insert_relations`` leave what ``create()`` leaves: columns, caches, checks."""

    # per model, fields whose value is drawn at random or names the record itself
    UNCOMPARABLE = {"kreancia.debtor.link": {"access_token", "url", "access_url"}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoices = cls.make_invoice(cls.customer, 8) | cls.make_invoice(cls.customer, 20)
        cls.link = (
            cls.env["kreancia.debtor.link"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company.id,
                    "expiry_date": date.today() + timedelta(days=90),
                }
            )
        )

    def intervention_rows(self, **values):
        return [
            {
                "name": f"DUN/GUARD/{index}",
                "date": self.today,
                "company_id": self.company.id,
                "partner_id": self.customer.id,
                "recipient_id": self.customer.id,
                "step_id": self.step_manual.id,
                "scenario_id": self.scenario.id,
                "channel": self.step_manual.channel,
                "identity": "company",
                "brand_id": False,
                "state": "to_validate",
                "user_id": False,
                "amount_total": 2000.0,
                "amount_credit": 0.0,
                "debtor_link_id": self.link.id,
                **values,
            }
            for index in range(2)
        ]

    def outcome(self, insert, model, rows, targets):
        """What ``insert(model, rows)`` leaves, in a savepoint rolled back afterwards.

        :param targets: ``[(records, field names)]`` other records whose fields are read (hence cached)
            before the insert and compared after
        :return: ``{"cache": ..., "columns": ..., "database": ...}``: the new records and targets as read
            at once (from the cache), their rows in the database, and the same read again from the database
        """
        result = {}
        with contextlib.suppress(_RolledBack), self.env.cr.savepoint():
            for records, names in targets:
                for name in names:
                    records.mapped(name)
            new = insert(model, [dict(row) for row in rows])
            new_ids = {(new._name, id_): f"new {rank}" for rank, id_ in enumerate(new.ids)}
            result["cache"] = self.snapshot(new, targets, new_ids)
            self.env.flush_all()
            skipped = self.UNCOMPARABLE.get(model._name, set()) | {"id"}
            self.env.cr.execute(f'SELECT * FROM "{model._table}" WHERE id = ANY(%s) ORDER BY id', [new.ids])
            names = [column.name for column in self.env.cr.description]
            result["columns"] = [
                {name: value for name, value in zip(names, row, strict=True) if name not in skipped}
                for row in self.env.cr.fetchall()
            ]
            self.env.invalidate_all()
            result["database"] = self.snapshot(new, targets, new_ids)
            raise _RolledBack
        return result

    def snapshot(self, new, targets, new_ids):
        skipped = self.UNCOMPARABLE.get(new._name, set()) | {"id"}
        names = [name for name, field in new._fields.items() if name not in skipped and field.type != "binary"]
        return {
            "new": [{name: _plain(record, name, new_ids) for name in names} for record in new],
            "targets": [
                {name: _plain(record, name, new_ids) for name in target_names}
                for records, target_names in targets
                for record in records
            ],
        }

    def assert_same_outcome(self, bulk, create, model, rows, targets):
        fast = self.outcome(bulk, model, rows, targets)
        odoo = self.outcome(create, model, rows, targets)
        self.assertTrue(fast["columns"] and len(fast["columns"]) == len(rows))
        self.assertEqual(fast["columns"], odoo["columns"], "the database holds what create() writes")
        self.assertEqual(
            _unordered(fast["cache"]), _unordered(odoo["cache"]), "read at once, the records look as after create()"
        )
        self.assertEqual(
            _unordered(fast["cache"]), _unordered(fast["database"]), "the cache says what the database says"
        )
        return fast

    def test_interventions_inserted_in_bulk_are_as_created(self):
        model = self.env["kreancia.intervention"]
        targets = [
            (self.customer, ["dunning_intervention_ids", "dunning_intervention_count"]),
            (self.link, ["intervention_ids"]),
            (self.invoices, ["dunning_intervention_ids", "dunning_next_action"]),
        ]

        def bulk(model, rows):
            records = insert_records(model, rows)
            insert_relations(records, "move_ids", [self.invoices.ids] * len(records))
            return records

        def create(model, rows):
            return model.create([dict(row, move_ids=[Command.set(self.invoices.ids)]) for row in rows])

        fast = self.assert_same_outcome(bulk, create, model, self.intervention_rows(), targets)
        moves = fast["cache"]["targets"][2]
        self.assertEqual(moves["dunning_next_action"], "Awaiting validation", "the invoices see the new records")
        self.assertEqual(moves["dunning_intervention_ids"], ("kreancia.intervention", ("new 1", "new 0")))

    def test_intervention_lines_inserted_in_bulk_are_as_created(self):
        intervention = self.env["kreancia.intervention"].create(self.intervention_rows()[:1])
        rows = [
            {
                "intervention_id": intervention.id,
                "move_id": invoice.id,
                "company_id": self.company.id,
                "invoice_date_due": invoice.invoice_date_due,
                "step_id": self.step_courteous.id,
                "previous_step_id": False,
                "previous_last_date": False,
                "days_late": (self.today - invoice.invoice_date_due).days,
                "currency_id": invoice.currency_id.id,
                "amount_residual": invoice.amount_residual,
            }
            for invoice in self.invoices.sorted("invoice_date_due")
        ]
        targets = [(intervention, ["line_ids", "total_due_display"])]
        fast = self.assert_same_outcome(
            insert_records,
            lambda model, rows: model.create(rows),
            self.env["kreancia.intervention.line"],
            rows,
            targets,
        )
        self.assertEqual(fast["cache"]["targets"][0]["line_ids"], ("kreancia.intervention.line", ("new 0", "new 1")))

    def test_debtor_links_inserted_in_bulk_are_as_created(self):
        rows = [
            {
                "partner_id": self.customer_2.id,
                "company_id": self.company.id,
                "brand_id": False,
                "expiry_date": date.today() + timedelta(days=90),
                "access_token": self.env["kreancia.debtor.link"]._new_token(),
            }
        ]
        targets = [(self.customer_2, ["dunning_debtor_link_ids"])]
        model = self.env["kreancia.debtor.link"].sudo()
        fast = self.assert_same_outcome(insert_records, lambda model, rows: model.create(rows), model, rows, targets)
        self.assertEqual(fast["cache"]["new"][0]["state"], "valid")

    def test_bulk_insert_checks_what_create_checks(self):
        other_company = self.env["res.company"].create({"name": "Other Creditor"})
        stranger = self.env["res.partner"].create(
            {"name": "Client d'une autre société", "company_id": other_company.id}
        )
        model = self.env["kreancia.intervention"]
        rows = self.intervention_rows(partner_id=stranger.id, recipient_id=stranger.id)[:1]
        for insert in (lambda model, rows: model.create(rows), insert_records):
            with self.subTest(insert=insert), self.assertRaises(UserError), self.env.cr.savepoint():
                insert(model, [dict(row) for row in rows])
        link_rows = [
            {
                "partner_id": stranger.id,
                "company_id": self.company.id,
                "expiry_date": date.today() + timedelta(days=90),
                "access_token": "x" * 43,
            }
        ]
        for insert in (lambda model, rows: model.create(rows), insert_records):
            with self.subTest(insert=insert), self.assertRaises(UserError), self.env.cr.savepoint():
                insert(self.env["kreancia.debtor.link"].sudo(), [dict(row) for row in link_rows])

    def test_no_create_override_is_bypassed(self):
        """The bulk path gives itself the values of the ``create()`` overrides below (reference, debtor link,
        token, where each invoice stood): an override added by an update or another add-on must be mirrored
        in the run's values (``_create_interventions``, ``_debtor_links``) before being listed here."""
        expected = {
            "kreancia.intervention": ["odoo.addons.kreancia_collect.models.kreancia_intervention"],
            "kreancia.intervention.line": ["odoo.addons.kreancia_collect.models.kreancia_intervention_line"],
            "kreancia.debtor.link": ["odoo.addons.kreancia_collect.models.kreancia_debtor_link"],
        }
        for model_name, modules in expected.items():
            overrides = [
                cls.__module__
                for cls in type(self.env[model_name]).__mro__
                if "create" in vars(cls) and cls.__module__.startswith("odoo.addons.")
            ]
            self.assertEqual(overrides, modules, model_name)
            self.assertFalse(self.env[model_name]._constraint_methods, f"{model_name}: Python constraints to mirror")


@tagged("post_install", "-at_install")
class TestFormattingGuard(KreanciaCommon):
    """``BatchFormatter`` writes what ``format_amount``, ``formatLang`` and ``format_date`` write."""

    AMOUNTS = (0.0, -0.0, -0.004, 0.005, 0.015, 2.675, -1234.5, 999.995, 1234567.891, -9876543.215, 1e15)
    DATES = (date(2026, 1, 5), date(2026, 2, 28), date(2026, 12, 31))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.after = cls.env["res.currency"].create(
            {"name": "KRG", "symbol": "kr", "position": "after", "rounding": 0.01, "decimal_places": 2}
        )
        cls.currencies = cls.env.ref("base.EUR") | cls.env.ref("base.USD") | cls.env.ref("base.JPY") | cls.after

    def test_amounts_and_dates_as_odoo_writes_them(self):
        self.addCleanup(self.env.registry.clear_cache, "stable")
        for lang in ("en_US", "fr_FR"):
            env = self.env(context=dict(self.env.context, lang=lang))
            formatter = BatchFormatter(env)
            for currency in self.currencies:
                for amount in self.AMOUNTS:
                    with self.subTest(lang=lang, currency=currency.name, amount=amount):
                        fast = formatter.amount(amount, currency)
                        self.assertEqual(fast, format_amount(env, amount, currency))
                        rounded = currency.round(amount)
                        # Odoo's formatLang and format_amount differ themselves on a negative zero and beyond
                        # 1e12 (float precision): the e-mails call format_amount, compared above
                        if rounded and abs(rounded) < 1e12:
                            self.assertEqual(
                                fast.replace("-\N{ZERO WIDTH NO-BREAK SPACE}", "-"),
                                formatLang(env, rounded, currency_obj=currency).replace(
                                    "-\N{ZERO WIDTH NO-BREAK SPACE}", "-"
                                ),
                            )
                        other = "fr_FR" if lang == "en_US" else "en_US"
                        self.assertEqual(
                            formatter.amount(amount, currency, other), format_amount(env, amount, currency, other)
                        )
            for day in self.DATES:
                for pattern in (False, "dd MMMM yyyy", "MMM d"):
                    with self.subTest(lang=lang, day=day, pattern=pattern):
                        self.assertEqual(formatter.date(day, pattern), format_date(env, day, pattern))

    def test_a_reminder_rendered_for_the_run_is_the_reminder_odoo_renders(self):
        self.customer_2.lang = "fr_FR"
        for customer in (self.customer, self.customer_2):
            self.make_invoice(customer, 8, amount=1234.565 if customer == self.customer else 98765.435)
        self.run_escalation()
        interventions = self.interventions()
        template = self.template_courteous
        fast = template.with_context(kreancia_batch_render=True)._generate_template(interventions.ids, ("body_html",))
        odoo = template._generate_template(interventions.ids, ("body_html",))
        for intervention in interventions:
            self.assertEqual(fast[intervention.id]["body_html"], odoo[intervention.id]["body_html"])


@tagged("post_install", "-at_install")
class TestTemplateCacheGuard(KreanciaCommon):
    """A template an administrator edits is compiled again: the next render shows the edit."""

    def test_an_edit_by_an_administrator_shows_in_the_next_render(self):
        admin = new_test_user(
            self.env, "speed.admin", groups="base.group_system,kreancia_collect.kreancia_collect_group_manager"
        )
        self.make_invoice(self.customer, 8)
        self.run_escalation()
        intervention = self.interventions(self.customer)
        template = self.template_courteous.with_context(kreancia_batch_render=True)
        before = template._generate_template(intervention.ids, ("body_html",))[intervention.id]["body_html"]
        self.assertIn(intervention.move_ids.name, before)
        # a loop: mail renders a body of plain field paths without QWeb, this one goes through the cache
        self.template_courteous.with_user(admin).body_html = (
            "<p>Edited by the administrator for <t t-out='object.partner_id.name'/>:"
            " <t t-foreach='object.move_ids' t-as='move'><t t-out='move.name'/></t></p>"
        )
        after = template._generate_template(intervention.ids, ("body_html",))[intervention.id]["body_html"]
        edited = f"Edited by the administrator for {intervention.partner_id.name}: {intervention.move_ids.name}"
        self.assertIn(edited, after)
        self.assertEqual(
            after,
            self.template_courteous._generate_template(intervention.ids, ("body_html",))[intervention.id]["body_html"],
        )


@tagged("post_install", "-at_install")
class TestPdfBatchGuard(KreanciaCommon):
    """A letter split from a merged batch is the letter Odoo renders alone for that one record."""

    def test_split_letters_equal_letters_rendered_alone(self):
        letters = self.env["kreancia.scenario"].create(
            {
                "name": "Letters",
                "company_id": self.company.id,
                "step_ids": [Command.create({"name": "Letter", "delay_days": 10, "channel": "letter"})],
            }
        )
        customer_3 = self._make_customer("Garage Long SARL", "compta@garage.example.com")
        customers = self.customer | self.customer_2 | customer_3
        customers.dunning_scenario_id = letters
        self.give_postal_addresses(*customers)
        (self.customer_2 | self.customer_2.child_ids).lang = "fr_FR"
        self.make_invoice(self.customer, 12)
        self.make_invoice(self.customer_2, 15, amount=-250.0 + 500.0)
        for days in range(12, 52):  # a letter of several pages
            self.make_invoice(customer_3, days, amount=100.0 + days)
        self.run_escalation()
        interventions = self.interventions().filtered(lambda intervention: intervention.channel == "letter")
        self.assertEqual(len(interventions), 3)
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        batch = report._kreancia_render_pdf_batch(LETTER_REPORT, interventions.ids)
        for intervention in interventions:
            with self.subTest(customer=intervention.partner_id.name):
                split = batch[intervention.id]["stream"].getvalue()
                alone, _format = report._render_qweb_pdf(LETTER_REPORT, intervention.ids)
                self.assertEqual(pdf_text(split), pdf_text(alone))
                pages = len(PdfFileReader(io.BytesIO(alone)).pages)
                self.assertEqual(len(PdfFileReader(io.BytesIO(split)).pages), pages)
                if batch[intervention.id]["pages"] is not None:
                    self.assertEqual(batch[intervention.id]["pages"], pages)
                self.assertEqual(pdf_text(intervention.attachment_id.raw), pdf_text(alone), "as the run stored it")
        long_letter = interventions.filtered(lambda intervention: intervention.partner_id == customer_3)
        self.assertGreater(batch[long_letter.id]["pages"] or 0, 1)
