from datetime import date

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect.tools.reply_reader import (
    KINDS,
    read_amounts,
    read_invoice_refs,
    read_reply,
    strip_reply,
)

from . import reply_corpus

MONDAY = date(2026, 6, 15)


class TestStripReply(BaseCase):
    def test_quoted_original_goes(self):
        cases = [
            "Ok pour vendredi.\n\nLe mer. 10 juin 2026 à 09:12, Relances Acme <relances@acme.fr> a écrit :\n"
            "> Bonjour, la facture FAC/2026/0042 de 1 250,00 €",
            "Ok pour vendredi.\n\nOn Wed, Jun 10, 2026 at 9:12 AM Acme Collections <collections@acme.com>\n"
            "wrote:\n> Dear",
            "Ok pour vendredi.\n\n-----Original Message-----\nFrom: Acme\nSent: 10 June 2026\nSubject: reminder",
            "Ok pour vendredi.\n\n---- Message d'origine ----\nDe : Acme",
            "Ok pour vendredi.\n\nDe : Relances Acme <relances@acme.fr>\nEnvoyé : mercredi 10 juin 2026 09:12\n"
            "À : compta@client.fr\nObjet : Relance\n\nBonjour, la facture FAC/2026/0042 reste impayée.",
            "Ok pour vendredi.\n\nFrom: Acme Collections\nSent: Wednesday, June 10, 2026 9:12 AM\nTo: ap@client.com\n"
            "Subject: Payment reminder",
            "Ok pour vendredi.\n________________________________\nDe : Acme",
        ]
        for text in cases:
            with self.subTest(text=text[30:60]):
                self.assertEqual(strip_reply(text), "Ok pour vendredi.")

    def test_signatures_and_disclaimers_go(self):
        cases = [
            "Ok pour vendredi.\n-- \nJean Martin\n06 12 34 56 78",
            "Ok pour vendredi.\n\nCordialement,\nMarie Dupont\nTél : 04 78 12 34 56\n12 rue des Lilas, 69003 Lyon",
            "Ok pour vendredi.\n\nBest regards,\nPeter",
            "Ok pour vendredi.\n\nSent from my iPhone",
            "Ok pour vendredi.\n\nEnvoyé de mon iPhone",
            "Ok pour vendredi.\n\nCe message et toutes les pièces jointes sont confidentiels et établis à l'intention "
            "exclusive de ses destinataires.",
            "Ok pour vendredi.\n\nThis e-mail and any attachments are confidential and intended solely for the "
            "addressee.",
        ]
        for text in cases:
            with self.subTest(text=text[18:50]):
                self.assertEqual(strip_reply(text), "Ok pour vendredi.")

    def test_a_closing_word_alone_is_the_message(self):
        self.assertEqual(strip_reply("Thanks, noted."), "Thanks, noted.")
        self.assertEqual(strip_reply("Merci d'arrêter de m'écrire."), "Merci d'arrêter de m'écrire.")

    def test_html(self):
        gmail = (
            '<div dir="ltr"><div>Bonjour,</div><div><br></div><div>Paiement le 10&nbsp;juillet.</div></div><br>'
            '<div class="gmail_quote"><div class="gmail_attr">Le mer. 10 juin 2026 à 09:12, Acme a écrit&nbsp;:<br>'
            '</div><blockquote class="gmail_quote">Facture FAC/2026/0042 : 1 250,00 €</blockquote></div>'
        )
        self.assertEqual(strip_reply(gmail, html=True), "Bonjour,\n\nPaiement le 10 juillet.")
        outlook = (
            "<html><head><style>p.MsoNormal {margin:0cm}</style></head><body><div class=WordSection1>"
            '<p class="MsoNormal">Payment on Friday.<o:p></o:p></p><table><tr><td><p>Peter Smith</p></td></tr></table>'
            '<div style="border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Acme<br><b>Sent:</b> '
            "Wednesday<br><b>Subject:</b> Reminder</p></div><p>Invoice INV/2026/00012</p></div></body></html>"
        )
        self.assertEqual(strip_reply(outlook, html=True), "Payment on Friday.\n\nPeter Smith")
        self.assertNotIn("INV/2026", read_reply(outlook, MONDAY, html=True).invoice_refs)


class TestReplyDates(BaseCase):
    def dates(self, text, received=MONDAY):
        return [day for day, _amount, _share in read_reply(text, received).instalments]

    def test_relative_dates(self):
        cases = {
            "je paie demain": date(2026, 6, 16),
            "I'll pay tomorrow": date(2026, 6, 16),
            "je vous paie vendredi": date(2026, 6, 19),
            "will pay on friday": date(2026, 6, 19),
            "je paierai vendredi prochain": date(2026, 6, 19),
            "we will pay next Friday": date(2026, 6, 19),
            "je paierai lundi": date(2026, 6, 22),
            "paiement la semaine prochaine": date(2026, 6, 22),
            "we will pay next week": date(2026, 6, 22),
            "je paierai cette semaine": date(2026, 6, 19),
            "je paierai dans 15 jours": date(2026, 6, 30),
            "we will pay in two weeks": date(2026, 6, 29),
            "je paie aujourd'hui": MONDAY,
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.dates(text), [expected])

    def test_month_only_dates(self):
        cases = {
            "je paierai fin juillet": date(2026, 7, 31),
            "we will pay in March": date(2027, 3, 31),
            "je paierai en août": date(2026, 8, 31),
            "je paierai début juillet": date(2026, 7, 5),
            "we will pay mid-July": date(2026, 7, 15),
            "je paierai mi-juillet": date(2026, 7, 15),
            "je paierai fin du mois": date(2026, 6, 30),
            "we will pay by the end of the month": date(2026, 6, 30),
            "je paierai à la fin du mois prochain": date(2026, 7, 31),
            "we will pay next month": date(2026, 7, 31),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.dates(text), [expected])

    def test_day_month_and_numeric_dates(self):
        cases = {
            "je paierai le 30 juin": date(2026, 6, 30),
            "we will pay on July 3rd": date(2026, 7, 3),
            "we will pay on 15th of July": date(2026, 7, 15),
            "je paierai le 1er juillet": date(2026, 7, 1),
            "je paierai le 15/07/2026": date(2026, 7, 15),
            "we will pay on 06/30/2026": date(2026, 6, 30),
            "we will pay on 2026-07-01": date(2026, 7, 1),
            "je paierai le 20": date(2026, 6, 20),
            "je paierai le 3": date(2026, 7, 3),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.dates(text), [expected])

    def test_day_month_rolls_to_next_year(self):
        self.assertEqual(self.dates("nous réglerons le 10 janvier", date(2026, 11, 20)), [date(2027, 1, 10)])
        self.assertEqual(self.dates("we will pay on 5 June", MONDAY), [date(2027, 6, 5)])
        self.assertEqual(self.dates("we'll settle in January", date(2026, 12, 10)), [date(2027, 1, 31)])

    def test_payment_dates_look_back(self):
        cases = {
            "payé hier": date(2026, 6, 14),
            "déjà réglé le 10 juin": date(2026, 6, 10),
            "le virement a été effectué vendredi dernier": date(2026, 6, 12),
            "already paid on 20 December": date(2025, 12, 20),
            "c'est réglé depuis vendredi": date(2026, 6, 12),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY)
                self.assertEqual((reading.kind, reading.paid_date), ("paid", expected))

    def test_return_dates(self):
        cases = {
            "Je suis absente jusqu'au 26 juin inclus.": date(2026, 6, 29),  # Saturday 27 -> Monday
            "De retour le lundi 6 juillet.": date(2026, 7, 6),
            "I am out of the office until 2026-07-01.": date(2026, 7, 2),
            "I will be back on Monday 29th June.": date(2026, 6, 29),
            "Absent du 15 au 30 juin.": date(2026, 7, 1),
            "I am away until Monday.": date(2026, 6, 23),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY, subject="Automatic reply")
                self.assertEqual((reading.kind, reading.return_date), ("absence", expected))


class TestReplyAmountsAndRefs(BaseCase):
    def test_amount_formats(self):
        cases = {
            "1 200,50 €": 1200.5,
            "1.200,50 EUR": 1200.5,
            "€1,200.50": 1200.5,
            "1200.5 euros": 1200.5,
            "450 €": 450.0,
            "EUR 300": 300.0,
            "$4,300.00": 4300.0,
            "£500": 500.0,
            "2.500 €": 2500.0,
            "1,000 EUR": 1000.0,
            "12,50 €": 12.5,
            "CHF 99.90": 99.9,
            "1500e": 1500.0,
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual([value for value, _code in read_amounts(f"Paiement de {text} vendredi")], [expected])

    def test_currencies(self):
        cases = {"450 €": "EUR", "450 euros": "EUR", "$450": "USD", "£450": "GBP", "CHF 450": "CHF", "450 USD": "USD"}
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(read_reply(f"Je paierai {text} vendredi.", MONDAY).currency, expected)
        self.assertIsNone(read_reply("Je paierai vendredi.", MONDAY).currency)

    def test_no_amount_from_dates_refs_phones_percentages(self):
        text = (
            "Facture FAC/2026/0042 du 15/04/2026, facture n° 2026-118, remise de 10 %, appelez le 06 12 34 56 78 "
            "ou le +44 20 7946 0958, chèque n° 1234567, réf. VIR-88213, le 12.06.2026, 32 hours, 3 fois"
        )
        self.assertEqual(read_amounts(text), ())

    def test_invoice_refs(self):
        self.assertEqual(
            read_invoice_refs(
                "INV/2026/00012, fac/2026/0042 et F2026-0012, facture n° 2026-118, invoice #A-77, encore INV/2026/00012"
            ),
            ("INV/2026/00012", "FAC/2026/0042", "F2026-0012", "2026-118", "A-77"),
        )
        self.assertEqual(read_invoice_refs("notre devis n° D-2026-114 et la commande BC-2026-55"), ())


class TestReplyKinds(BaseCase):
    def test_each_kind(self):
        cases = [
            ("ok je paie vendredi", "", "promise"),
            ("We will pay half now and the rest in March.", "", "promise"),
            ("La marchandise est arrivée abîmée, nous ne paierons pas.", "", "dispute"),
            ("Already paid on June 5th, ref TRF-114.", "", "paid"),
            ("Je suis absente jusqu'au 26 juin.", "Réponse automatique", "absence"),
            ("I am on annual leave and will be back on 6 July.", "", "absence"),
            ("Pouvez-vous m'envoyer une copie de la facture ?", "", "document"),
            ("Thanks, noted.", "", "other"),
        ]
        for text, subject, kind in cases:
            with self.subTest(text=text):
                self.assertIn(kind, KINDS)
                self.assertEqual(read_reply(text, MONDAY, subject=subject).kind, kind)

    def test_priorities(self):
        # a contested invoice with an offer for the rest is a dispute: the lead handles the part paid
        reading = read_reply(
            "The invoice is wrong, the price is not the quoted one. We'll pay the rest on the 30th.", MONDAY
        )
        self.assertEqual((reading.kind, reading.reason), ("dispute", "price"))
        # an auto-reply wins over what its text says
        self.assertEqual(read_reply("Payment questions: ap@x.com", MONDAY, subject="Out of Office").kind, "absence")
        # "paid" and "dispute": paid first, unless the invoice is said to be a duplicate
        self.assertEqual(read_reply("Déjà réglé le 8 juin, votre relance est une erreur.", MONDAY).kind, "paid")
        reading = read_reply("Facturée deux fois ! Nous avons réglé la première.", MONDAY)
        self.assertEqual((reading.kind, reading.reason), ("dispute", "duplicate"))
        # a payment said to leave in the future is a promise
        self.assertEqual(read_reply("Le virement partira le 30 juin.", MONDAY).kind, "promise")
        # a dateless promise that asks for bank details is a document request
        reading = read_reply("Could you send me the IBAN? I'll pay as soon as I have it.", MONDAY)
        self.assertEqual((reading.kind, reading.documents), ("document", ("rib",)))
        # a hand-written absence with a dated promise is a promise
        self.assertEqual(read_reply("Je suis en congés, je paierai le 6 juillet à mon retour.", MONDAY).kind, "promise")

    def test_dispute_reasons(self):
        cases = {
            "Les pièces sont non conformes.": "goods",
            "The goods arrived damaged.": "goods",
            "Le tarif appliqué est faux, la remise manque.": "price",
            "The price is wrong.": "price",
            "Nous n'avons jamais reçu la marchandise.": "delivery",
            "La livraison est incomplète.": "delivery",
            "Cette facture est un doublon.": "duplicate",
            "You invoiced us twice.": "duplicate",
            "Nous n'avons jamais commandé cela.": "not_ordered",
            "We never ordered this.": "not_ordered",
            "Nous contestons cette facture.": None,
        }
        for text, reason in cases.items():
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY)
                self.assertEqual((reading.kind, reading.reason), ("dispute", reason))

    def test_paid_details(self):
        reading = read_reply(
            "La facture FAC/2026/0042 a déjà été réglée par virement le 8 juin (réf. VIR-88213) pour 1 250,00 €.",
            MONDAY,
        )
        self.assertEqual(
            (reading.kind, reading.paid_date, reading.paid_amount, reading.paid_reference, reading.invoice_refs),
            ("paid", date(2026, 6, 8), 1250.0, "VIR-88213", ("FAC/2026/0042",)),
        )
        reading = read_reply("Chèque n° 1234567 envoyé le 10 juin.", MONDAY)
        self.assertEqual(
            (reading.paid_date, reading.paid_reference, reading.amounts), (date(2026, 6, 10), "1234567", ())
        )

    def test_documents(self):
        cases = {
            "Merci de nous envoyer un duplicata de la facture.": ("invoice",),
            "Could you send a statement of account?": ("statement",),
            "envoyez moi votre rib svp": ("rib",),
            "Merci de nous transmettre un relevé de compte et vos coordonnées bancaires.": ("statement", "rib"),
            "Please send your bank details.": ("rib",),
        }
        for text, documents in cases.items():
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY)
                self.assertEqual((reading.kind, reading.documents), ("document", documents))

    def test_opt_out_keeps_its_kind(self):
        for text in ("Arrêtez de m'écrire.", "Please unsubscribe me.", "Merci de ne plus me contacter."):
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY)
                self.assertEqual((reading.kind, reading.opt_out), ("other", True))
        reading = read_reply("Déjà payé le 12/06/2026, merci de ne plus nous relancer.", MONDAY)
        self.assertEqual((reading.kind, reading.opt_out), ("paid", True))


class TestReplyInstalments(BaseCase):
    def test_shares_and_rest(self):
        reading = read_reply("We will pay half now and the rest in March.", date(2026, 1, 20))
        self.assertEqual(reading.instalments, ((date(2026, 1, 20), None, 0.5), (date(2026, 3, 31), None, 0.5)))
        reading = read_reply("Nous proposons 50% fin juin, 50% fin juillet.", MONDAY)
        self.assertEqual(reading.instalments, ((date(2026, 6, 30), None, 0.5), (date(2026, 7, 31), None, 0.5)))
        reading = read_reply("Je réglerai la totalité le 25 juin.", MONDAY)
        self.assertEqual(reading.instalments, ((date(2026, 6, 25), None, 1.0),))

    def test_amounts_per_date(self):
        reading = read_reply("Nous réglerons 400 € le 30 juin, 400 € le 31 juillet et 450 € le 31 août.", MONDAY)
        self.assertEqual(
            reading.instalments,
            ((date(2026, 6, 30), 400.0, None), (date(2026, 7, 31), 400.0, None), (date(2026, 8, 31), 450.0, None)),
        )
        # after stated amounts, "le reste" is the balance: neither amount nor share
        reading = read_reply("Je peux verser 200 euros aujourd'hui et le reste début juillet.", MONDAY)
        self.assertEqual(reading.instalments, ((MONDAY, 200.0, None), (date(2026, 7, 5), None, None)))
        reading = read_reply("Can we do 3 monthly payments of 1,000 EUR starting July 1st?", MONDAY)
        self.assertEqual(
            [day for day, _a, _s in reading.instalments], [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
        )

    def test_clear_flag(self):
        cases = {
            "Nous réglerons 1 850,00 € le 10 juillet.": True,
            "Je réglerai la totalité le 25 juin.": True,
            "Je paie 200 € aujourd'hui et le reste le 5 juillet.": True,
            "ok je paie vendredi": False,  # no amount, no share
            "Je peux peut-être payer la moitié la semaine prochaine.": False,
            "We will try to pay £500 by the end of the month.": False,
            "Nous paierons 500 € le 30 si la facture est validée.": False,
            "Hopefully we can pay €500 on Friday.": False,
            "Nous allons payer rapidement.": False,  # no date
        }
        for text, clear in cases.items():
            with self.subTest(text=text):
                reading = read_reply(text, MONDAY)
                self.assertEqual((reading.kind, reading.clear), ("promise", clear))
        self.assertFalse(read_reply("Prix faux. Nous paierons 500 € le 30 juin.", MONDAY).clear)

    def test_past_reference_is_no_instalment(self):
        reading = read_reply("Suite à votre courrier du 10 juin, nous réglerons 300 € le 30 juin.", MONDAY)
        self.assertEqual(reading.instalments, ((date(2026, 6, 30), 300.0, None),))
        reading = read_reply("Votre facture passera en paiement le 10 juillet (60 jours fin de mois).", MONDAY)
        self.assertEqual(reading.instalments, ((date(2026, 7, 10), None, None),))


class TestReplyCorpus(BaseCase):
    """The reader against the corpus of replies in tests/data/replies (scored by scripts/score_reply_reader.py)."""

    def test_corpus(self):
        corpus = reply_corpus.load()
        self.assertGreaterEqual(len(corpus), 90)
        pairs, _fields, misses = reply_corpus.score(read_reply, corpus)
        accuracy = sum(1 for exp, got in pairs if exp == got) / len(pairs)
        self.assertGreaterEqual(accuracy, 0.90)
        for kind in KINDS:
            with self.subTest(kind=kind):
                support = [got for exp, got in pairs if exp == kind]
                self.assertGreaterEqual(support.count(kind) / len(support), 0.8)
        # a reply counts as read right when every field it expects is
        with_fields = [item["id"] for item in corpus if set(item["expected"]) & set(reply_corpus.FIELDS)]
        wrong = {item_id for item_id, field, _expected, _got in misses if field != "kind"}
        self.assertGreaterEqual(1 - len(wrong) / len(with_fields), 0.85)
