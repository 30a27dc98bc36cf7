import { registry } from "@web/core/registry";

function inDays(days) {
    const day = new Date();
    day.setDate(day.getDate() + days);
    return day.toISOString().slice(0, 10);
}

// The debtor opens the link of a reminder, reads the claim, proposes a two-instalment plan
// for the first invoice (within the scenario's limits) and disputes the second one.
registry.category("web_tour.tours").add("kreancia_debtor_plan_dispute_tour", {
    steps: () => [
        {
            content: "The page speaks under the brand and lists the claim",
            trigger: ".o_debtor_identity:contains('Recouvrement Test')",
        },
        {
            trigger: ".o_debtor_invoices tbody tr:nth-child(2)",
        },
        {
            content: "Leave the second invoice out of the plan",
            trigger: ".o_debtor_plan_form .form-check:nth-of-type(2) input[name='invoice_ids']",
            run: "click",
        },
        {
            trigger: ".o_debtor_plan_form input[name='date_1']",
            run() {
                // hoot's "edit" cannot fill an empty date input
                document.querySelector(".o_debtor_plan_form input[name='date_1']").value = inDays(10);
            },
        },
        {
            trigger: ".o_debtor_plan_form input[name='amount_1']",
            run: "edit 300",
        },
        {
            trigger: ".o_debtor_plan_form input[name='date_2']",
            run() {
                // hoot's "edit" cannot fill an empty date input
                document.querySelector(".o_debtor_plan_form input[name='date_2']").value = inDays(40);
            },
        },
        {
            trigger: ".o_debtor_plan_form input[name='amount_2']",
            run: "edit 300",
        },
        {
            content: "Send the plan",
            trigger: ".o_debtor_plan_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The plan is accepted at once",
            trigger: ".o_debtor_done:contains('your payment plan is accepted')",
        },
        {
            content: "Dispute the second invoice",
            trigger: ".o_debtor_dispute_form select[name='invoice_id']",
            run: "selectByIndex 1",
        },
        {
            trigger: ".o_debtor_dispute_form select[name='reason']",
            run: "selectByIndex 1",
        },
        {
            trigger: ".o_debtor_dispute_form textarea[name='message']",
            run: "edit The quantity invoiced is wrong",
        },
        {
            trigger: ".o_debtor_dispute_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute is recorded and the invoice shows it",
            trigger: ".o_debtor_done:contains('Your dispute has been recorded')",
        },
        {
            trigger: ".o_debtor_invoices .badge:contains('In dispute')",
        },
    ],
});

// The debtor pays the first invoice through the demo provider and lands back on the page.
registry.category("web_tour.tours").add("kreancia_debtor_pay_tour", {
    steps: () => [
        {
            content: "Keep only the first invoice selected",
            trigger: ".o_debtor_invoices tbody tr:nth-child(2) input[name='invoice_ids']",
            run: "click",
        },
        {
            trigger: ".o_debtor_pay",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's payment form, with the demo provider",
            trigger: "#o_payment_form input[name='o_payment_radio']",
            run: "click",
        },
        {
            trigger: "#o_payment_form input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            trigger: "#o_payment_form button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the page after payment",
            trigger: ".o_debtor_done:contains('Thank you for your payment')",
            timeout: 30000,
        },
    ],
});
