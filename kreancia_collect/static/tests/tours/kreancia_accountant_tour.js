import { registry } from "@web/core/registry";

/** A plain accountant (Invoicing, no collection role) opens a customer and reads its collection history. */
registry.category("web_tour.tours").add("kreancia_accountant_customer_tour", {
    steps: () => [
        {
            content: "The customer's form loads",
            trigger: ".o_form_view .o_breadcrumb:contains('Boulangerie Test SARL')",
        },
        {
            content: "Open the Collection tab",
            trigger: ".o_notebook .nav-link[name='kreancia_collection']",
            run: "click",
        },
        {
            content: "The call is listed, read-only",
            trigger: ".o_field_widget[name='dunning_call_ids'] .o_data_row:contains('Will pay before the end of the month')",
        },
        {
            content: "The payment promise is listed",
            trigger: ".o_field_widget[name='dunning_commitment_ids'] .o_data_row .o_field_badge",
        },
        {
            content: "The reminder is listed",
            trigger: ".o_field_widget[name='dunning_intervention_ids'] .o_data_row:contains('Courteous')",
        },
    ],
});

/** The same accountant opens the customer's invoice and its Collection tab. */
registry.category("web_tour.tours").add("kreancia_accountant_invoice_tour", {
    steps: () => [
        {
            content: "The invoice's form loads",
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Boulangerie Test SARL'), .o_form_view .o_field_widget[name='partner_id'] input:value('Boulangerie Test SARL')",
        },
        {
            content: "Open the Collection tab",
            trigger: ".o_notebook .nav-link[name='kreancia_collection']",
            run: "click",
        },
        {
            content: "The reminder sent for this invoice is listed",
            trigger: ".o_field_widget[name='dunning_intervention_ids'] .o_data_row:contains('Courteous')",
        },
    ],
});
