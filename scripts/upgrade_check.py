"""The two halves of scripts/test_upgrade.sh, run in its scratch database.

``record``: with the previous release's code, perform the day's run, hand one invoice over, and write
what the database holds (interventions, commitments, cases, debtor links, invoices' dunning) to a JSON file.
``check``: with the current code, after ``-u kreancia_collect``, compare the database with that file and
print one PASS/FAIL line per check; the exit status is the number of failures (capped at 100).

    python3 scripts/upgrade_check.py record|check --addons-path=PATH -d DB --json FILE [--version V]
"""

import argparse
import json
import sys

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config, sql


def _ids(records):
    return sorted(records.ids)


def snapshot(env):
    """What must survive the upgrade, keyed by database id (ids are kept by an upgrade)."""
    interventions = env["kreancia.intervention"].search([], order="id")
    commitments = env["kreancia.commitment"].search([], order="id")
    cases = env["kreancia.case"].search([], order="id")
    links = env["kreancia.debtor.link"].search([], order="id")
    moves = env["account.move"].search([("move_type", "=", "out_invoice"), ("state", "=", "posted")], order="id")
    return {
        "interventions": {
            str(rec.id): {
                "name": rec.name,
                "state": rec.state,
                "channel": rec.channel,
                "partner_id": rec.partner_id.id,
                "step_id": rec.step_id.id,
                "date": fields.Date.to_string(rec.date),
                "move_ids": _ids(rec.move_ids),
                "debtor_link_id": rec.debtor_link_id.id,
                "mail_id": rec.mail_id.id,
                "delivery_state": rec.delivery_state,
            }
            for rec in interventions
        },
        "commitments": {
            str(rec.id): {
                "state": rec.state,
                "partner_id": rec.partner_id.id,
                "amount_total": rec.amount_total,
                "move_ids": _ids(rec.move_ids),
                "lines": [
                    [line.id, fields.Date.to_string(line.date), line.amount, line.state]
                    for line in rec.line_ids.sorted("id")
                ],
            }
            for rec in commitments
        },
        "cases": {
            str(rec.id): {
                "name": rec.name,
                "state": rec.state,
                "partner_id": rec.partner_id.id,
                "agency_id": rec.agency_id.id,
                "amount_claimed": rec.amount_claimed,
                "lines": [
                    [line.id, line.move_id.id, line.amount_principal, line.amount_interest, line.amount_indemnity]
                    for line in rec.line_ids.sorted("id")
                ],
            }
            for rec in cases
        },
        "links": {
            str(rec.id): {
                "partner_id": rec.partner_id.id,
                "access_token": rec.access_token,
                "expiry_date": fields.Date.to_string(rec.expiry_date),
                "state": rec.state,
                "url": rec.url,
            }
            for rec in links
        },
        "invoices": {
            str(rec.id): {
                "name": rec.name,
                "payment_state": rec.payment_state,
                "dunning_state": rec.dunning_state,
                "dunning_step_id": rec.dunning_step_id.id,
                "dunning_last_date": fields.Date.to_string(rec.dunning_last_date),
                "dunning_next_date": fields.Date.to_string(rec.dunning_next_date),
                "dunning_handed_over": rec.dunning_handed_over,
            }
            for rec in moves
        },
        "mail_count": env["mail.mail"].search_count([]),
    }


def record(env, path):
    admin = env.ref("base.user_admin")
    company = env.ref("kreancia_collect.demo_company_fr")
    env = env(user=admin, context={"allowed_company_ids": admin.company_ids.ids, "kreancia_sync": True})
    counts = env["kreancia.escalation"].run()
    print(f"Day's run with the previous release: {counts}")
    # a hand-over case, which the demo has none of: the most overdue invoice, to the agency
    invoice = env.ref("kreancia_collect.demo_invoice_late_95")
    wizard = (
        env["kreancia.case.create"]
        .with_company(company)
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"agency_id": env.ref("kreancia_collect.demo_brand_agency_partner").id})
    )
    wizard.action_confirm()
    env.flush_all()
    data = snapshot(env)
    for key in ("interventions", "commitments", "cases", "links", "invoices"):
        print(f"Recorded {len(data[key])} {key}")
    missing = [key for key in ("interventions", "commitments", "cases", "links") if not data[key]]
    if missing:
        sys.exit(f"The previous release's demo run left no {', '.join(missing)}: nothing to check them against.")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1, sort_keys=True)


class Checks:
    def __init__(self):
        self.failures = 0

    def __call__(self, ok, label, detail=""):
        print(f"{'PASS' if ok else 'FAIL'} {label}{f': {detail}' if detail and not ok else ''}")
        self.failures += not ok


def _diff(before, after):
    """The keys whose values changed, as ``key: before -> after``, for rows present on both sides."""
    changes = []
    for row_id, old in before.items():
        new = after.get(row_id)
        if new is None:
            continue
        changes += [f"{row_id}.{key}: {old[key]!r} -> {new.get(key)!r}" for key in old if new.get(key) != old[key]]
    return changes


def check(env, path, version):
    with open(path, encoding="utf-8") as file:
        before = json.load(file)
    ok = Checks()
    # the schema the current code expects: a column for every stored field of the add-on's models
    field_ids = env["ir.model.data"].search([("module", "=", "kreancia_collect"), ("model", "=", "ir.model.fields")])
    missing = []
    for record in env["ir.model.fields"].browse(field_ids.mapped("res_id")):
        model = env[record.model] if record.model in env else None
        field = model._fields.get(record.name) if model is not None else None
        if field and field.store and field.column_type and model._auto and not model._abstract:
            if not sql.column_exists(env.cr, model._table, field.name):
                missing.append(f"{model._table}.{field.name}")
    ok(not missing, "every stored field of the add-on's models has its column", ", ".join(missing))
    if missing:
        return ok.failures  # the ORM cannot read the rows
    after = snapshot(env)

    module = env["ir.module.module"].search([("name", "=", "kreancia_collect")])
    ok(module.state == "installed", "module kreancia_collect installed", module.state)
    print(f"     module version {module.latest_version} (manifest {version})")
    ok(module.latest_version == version, f"module at version {version}", module.latest_version)

    for key in ("interventions", "commitments", "cases", "links"):
        lost = sorted(set(before[key]) - set(after[key]), key=int)
        ok(not lost, f"every {key[:-1]} kept ({len(before[key])})", f"lost ids {lost}")
        changes = _diff(before[key], after[key])
        ok(not changes, f"{key} keep their values", "; ".join(changes[:10]))

    link_model = env["kreancia.debtor.link"]
    links = link_model.browse(int(row_id) for row_id in before["links"] if before["links"][row_id]["state"] == "valid")
    invalid = [f"{link.id}: {link.state}" for link in links.exists() if link.state != "valid"]
    ok(links and not invalid, f"debtor links still valid ({len(links)})", ", ".join(invalid) or "none valid")
    changes = _diff(before["invoices"], after["invoices"])
    lost = sorted(set(before["invoices"]) - set(after["invoices"]), key=int)
    ok(not lost, f"every posted invoice kept ({len(before['invoices'])})", f"lost ids {lost}")
    ok(not changes, "invoices' dunning states unchanged", "; ".join(changes[:10]))
    ok(after["mail_count"] == before["mail_count"], f"e-mails kept ({before['mail_count']})", after["mail_count"])

    moves = env["account.move"]
    if "dunning_limitation_date" in moves._fields:
        open_moves = moves.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        stored = {move.id: move.dunning_limitation_date for move in open_moves}
        empty = [move.name for move in open_moves if not stored[move.id]]
        ok(open_moves and not empty, f"open invoices have their last day to claim ({len(open_moves)})", empty)
        # what the current code computes from scratch: the stored values must be those
        env.add_to_compute(moves._fields["dunning_limitation_date"], open_moves)
        open_moves._recompute_recordset(["dunning_limitation_date", "dunning_limitation_restart_date"])
        wrong = [
            f"{move.name}: {stored[move.id]} != {move.dunning_limitation_date}"
            for move in open_moves
            if move.dunning_limitation_date != stored[move.id]
        ]
        ok(not wrong, "last day to claim as the current code computes it", "; ".join(wrong))
        env.cr.rollback()
        env.invalidate_all()
    return ok.failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("record", "check"))
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--version", default="")
    args = parser.parse_args()
    config.parse_config(
        [f"--addons-path={args.addons_path}", "-d", args.database, "--log-level=warn", "--http-interface=127.0.0.1"]
    )
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.mode == "record":
            record(env, args.json)
            return 0
        failures = check(env, args.json, args.version)
        cr.rollback()
    print(f"{'FAIL' if failures else 'PASS'} upgrade check: {failures} failure(s)")
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
