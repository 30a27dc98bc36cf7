import { formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

/** A date ``days`` from now, typed the way the user's language writes dates. */
function inDays(days) {
    return formatDate(DateTime.now().plus({ days }));
}

const instalmentRow = (index) => `.modal .o_field_widget[name='instalment_ids'] .o_data_row:nth-child(${index})`;

registry.category("web_tour.tours").add("kreancia_agent_promise_tour", {
    steps: () => [
        {
            content: "Open the customer from My Calls (a click on the row)",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer SARL') td[name='partner_id']",
            run: "click",
        },
        {
            content: "Log a call from the customer's form",
            trigger: ".o_form_view button[name='action_dunning_log_call']",
            run: "click",
        },
        {
            content: "The call obtained a payment promise",
            trigger: ".modal .o_field_widget[name='outcome'] .o_select_menu_toggler",
            run: "click",
        },
        {
            trigger:
                ".o_select_menu_menu .o_select_menu_item:contains('Payment promise'), " +
                ".o_select_menu_menu .o_select_menu_item:contains('Promesse de paiement')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Will pay in two instalments",
        },
        {
            content: "First instalment",
            trigger: ".modal .o_field_widget[name='instalment_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: `${instalmentRow(1)} .o_field_widget[name='date'] input`,
            run: `edit ${inDays(10)}`,
        },
        {
            trigger: `${instalmentRow(1)} .o_field_widget[name='amount'] input`,
            run: "edit 300",
        },
        {
            content: "Second instalment",
            trigger: ".modal .o_field_widget[name='instalment_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: `${instalmentRow(2)} .o_field_widget[name='date'] input`,
            run: `edit ${inDays(40)}`,
        },
        {
            trigger: `${instalmentRow(2)} .o_field_widget[name='amount'] input`,
            run: "edit 300",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The commitment shows on the customer",
            trigger: ".o_form_view button[name='action_dunning_commitments'] .o_stat_value:contains(1)",
            run: "click",
        },
        {
            content: "It is listed, for the promised amount",
            trigger: ".o_list_view .o_data_row:contains('600')",
        },
    ],
});
