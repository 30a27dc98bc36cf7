import { registry } from "@web/core/registry";

/** An agent works the replies inbox: reads a promise, accepts it pre-filled, the reply leaves the list. */
registry.category("web_tour.tours").add("kreancia_replies_inbox_tour", {
    steps: () => [
        {
            // the kind's badge colour, whatever the user's language: green for a promise, red for a dispute
            content: "The inbox lists the promise, read with its dates",
            trigger: ".o_list_view .o_data_row:contains('Tour Reply SARL'):has(td[name='kind'] .text-bg-success)",
        },
        {
            content: "The dispute of another customer is listed too",
            trigger: ".o_list_view .o_data_row:contains('Tour Dispute SAS'):has(td[name='kind'] .text-bg-danger)",
        },
        {
            content: "Handle the promise",
            trigger: ".o_list_view .o_data_row:contains('Tour Reply SARL') button[name='action_process']",
            run: "click",
        },
        {
            content: "The dialog proposes to accept the promise, in two instalments",
            trigger: ".modal .o_field_widget[name='instalment_ids'] .o_data_row:nth-child(2)",
        },
        {
            content: "The promised total is the amount due",
            trigger: ".modal .o_field_widget[name='amount_promised']:contains('900')",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The promise left the replies to handle",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Reply SARL')))",
        },
    ],
});
