import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";

/**
 * The debtor page's totals follow the invoices ticked for payment.
 *
 * The server renders the totals of every invoice (a browser without
 * JavaScript reads the whole account); each invoice row carries its amounts
 * in the company's currency (``data-due``, ``data-interest``,
 * ``data-indemnity``) and the totals table how the page writes amounts
 * (``data-symbol``, ``data-position``, ``data-digits``, ``data-thousands``,
 * ``data-point``), so that the figures read as the server's.
 */
export class DebtorTotals extends Interaction {
    static selector = "#o_debtor_pay_form";
    dynamicContent = {
        "input[name='invoice_ids']": { "t-on-change": this.onTick },
        ".o_debtor_total_due": { "t-out": () => this.money(this.totals.due) },
        ".o_debtor_total_interest": { "t-out": () => this.money(this.totals.interest) },
        ".o_debtor_total_indemnity": { "t-out": () => this.money(this.totals.indemnity) },
        ".o_debtor_total": { "t-out": () => this.money(this.totals.total) },
        ".o_debtor_pay": { "t-att-disabled": () => !this.totals.count },
    };

    setup() {
        this.format = this.el.querySelector(".o_debtor_totals").dataset;
        this.totals = this.compute();
    }

    onTick() {
        this.totals = this.compute();
    }

    compute() {
        const totals = { due: 0, interest: 0, indemnity: 0, count: 0 };
        for (const row of this.el.querySelectorAll(".o_debtor_invoices tbody tr")) {
            const box = row.querySelector("input[name='invoice_ids']");
            if (box && box.checked && !box.disabled) {
                totals.count++;
                totals.due += Number(row.dataset.due || 0);
                totals.interest += Number(row.dataset.interest || 0);
                totals.indemnity += Number(row.dataset.indemnity || 0);
            }
        }
        const credit = Number(this.format.credit || 0);
        totals.total = totals.due - credit + totals.interest + totals.indemnity;
        return totals;
    }

    money(amount) {
        const digits = Number(this.format.digits);
        const [units, decimals] = Math.abs(amount).toFixed(digits).split(".");
        const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, this.format.thousands);
        const number = `${amount < 0 ? "-" : ""}${grouped}${decimals ? this.format.point + decimals : ""}`;
        return this.format.position === "before"
            ? `${this.format.symbol}\u00a0${number}`
            : `${number}\u00a0${this.format.symbol}`;
    }
}

registry.category("public.interactions").add("kreancia_collect.debtor_totals", DebtorTotals);
