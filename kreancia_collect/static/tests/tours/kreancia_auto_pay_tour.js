import { registry } from "@web/core/registry";

// The debtor chooses to pay a plan automatically: reads the mandate, saves a card with the demo provider.
registry.category("web_tour.tours").add("kreancia_auto_pay_tour", {
    steps: () => [
        {
            content: "The plan on the page offers automatic payment",
            trigger: ".o_debtor_commitments .o_debtor_auto_optin",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The mandate says what is charged, when, and how to cancel",
            trigger: ".o_debtor_mandate:contains('I can cancel automatic payment at any time')",
        },
        {
            content: "Odoo's payment form, with the demo provider",
            trigger: "#o_payment_form input[name='o_payment_radio']",
            run: "click",
        },
        {
            content: "The card number goes to the provider's form only",
            trigger: "#o_payment_form input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            trigger: "#o_payment_form button[name='o_payment_submit_button']:contains('Save and accept')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the page: the plan is paid automatically with the saved card",
            trigger: ".o_debtor_done:contains('your payment method is saved')",
            timeout: 30000,
        },
        {
            trigger: ".o_debtor_auto_on:contains('4242')",
        },
        {
            trigger: ".o_debtor_auto_cancel_form button",
        },
    ],
});
