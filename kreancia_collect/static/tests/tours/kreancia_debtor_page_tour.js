import { registry } from "@web/core/registry";

// The debtor unticks the second invoice: the totals drop to the first one's, and come back.
registry.category("web_tour.tours").add("kreancia_debtor_totals_tour", {
    steps: () => [
        {
            content: "Both invoices ticked: the whole claim",
            trigger: ".o_debtor_totals .o_debtor_total:contains('1,043.99')",
        },
        {
            content: "Leave the second invoice out",
            trigger: ".o_debtor_invoices tbody tr:nth-child(2) input[name='invoice_ids']",
            run: "click",
        },
        {
            trigger: ".o_debtor_totals .o_debtor_total_due:contains('600.00')",
        },
        {
            content: "The total is the first invoice's, with the interest and indemnity its letter claims",
            trigger: ".o_debtor_totals .o_debtor_total:contains('643.99')",
        },
        {
            content: "Leave the first one out too: nothing to pay",
            trigger: ".o_debtor_invoices tbody tr:nth-child(1) input[name='invoice_ids']",
            run: "click",
        },
        {
            trigger: ".o_debtor_totals .o_debtor_total:contains('0.00')",
        },
        {
            trigger: ".o_debtor_pay:disabled",
        },
        {
            content: "Tick the second one again",
            trigger: ".o_debtor_invoices tbody tr:nth-child(2) input[name='invoice_ids']",
            run: "click",
        },
        {
            trigger: ".o_debtor_totals .o_debtor_total:contains('400.00')",
        },
        {
            trigger: ".o_debtor_pay:enabled",
        },
    ],
});

// On a phone, every figure of the invoice table, the indemnity included, is in sight: no side scroll.
registry.category("web_tour.tours").add("kreancia_debtor_phone_tour", {
    steps: () => [
        {
            content: "The first invoice's row shows the indemnity its letter claims",
            trigger: ".o_debtor_invoices tbody tr:first-child td:contains('40.00')",
            run() {
                const width = document.documentElement.clientWidth;
                const table = document.querySelector(".o_debtor_invoices");
                const scroller = table.closest(".table-responsive");
                if (scroller.scrollWidth > scroller.clientWidth) {
                    throw new Error(`the table scrolls: ${scroller.scrollWidth}px in ${scroller.clientWidth}px`);
                }
                for (const cell of table.querySelectorAll("tbody td")) {
                    const box = cell.getBoundingClientRect();
                    if (box.width && (box.left < 0 || box.right > width)) {
                        throw new Error(`"${cell.textContent.trim()}" is cut off at ${box.right}px of ${width}px`);
                    }
                }
            },
        },
    ],
});
