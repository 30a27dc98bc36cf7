import { formatDate, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

/** A date ``days`` from now, typed the way the user's language writes dates. */
function inDays(days) {
    return formatDate(DateTime.now().plus({ days }));
}

const modal = ".modal:not(.o_inactive_modal)";
const instalmentRows = `${modal} .o_field_widget[name='instalment_ids'] .o_data_row`;

/** Pick an outcome by its label, in English or in French (the agent's language). */
function chooseOutcome(english, french) {
    return [
        {
            content: `Outcome: ${english}`,
            trigger: `${modal} .o_field_widget[name='outcome'] .o_select_menu_toggler`,
            run: "click",
        },
        {
            trigger:
                `.o_select_menu_menu .o_select_menu_item:contains('${english}'), ` +
                `.o_select_menu_menu .o_select_menu_item:contains('${french}')`,
            run: "click",
        },
    ];
}

function saveAndNext(nextCustomer) {
    return [
        {
            content: "Save and next",
            trigger: `${modal} button[name='action_confirm_next']`,
            run: "click",
        },
        {
            content: `The next customer of the list opens: ${nextCustomer}`,
            trigger: `${modal} .o_field_widget[name='partner_id']:contains('${nextCustomer}')`,
        },
    ];
}

registry.category("web_tour.tours").add("kreancia_cockpit_tour", {
    steps: () => [
        {
            content: "My Calls shows the number to dial as a phone link",
            trigger: ".o_list_view .o_data_row:first-child:contains('Tour Alpha SARL') .o_field_phone a[href^='tel:']",
        },
        {
            content: "Log a call from the first row",
            trigger: ".o_list_view .o_data_row:first-child button[name='action_log_call']",
            run: "click",
        },
        {
            content: "The script speaks under the scenario's brand, with the customer's amounts",
            trigger: `${modal} .o_kreancia_call_script:contains('Recouvrement Test'):contains('calling on behalf of')`,
        },
        ...chooseOutcome("Payment promise", "Promesse de paiement"),
        {
            content: "First payment date",
            trigger: `${modal} .o_field_widget[name='first_date'] input`,
            run: `edit ${inDays(10)}`,
        },
        {
            content: "Split in two (leaving the date commits it)",
            trigger: `${modal} .o_field_widget[name='split_count'] input`,
            run: "edit 2",
        },
        {
            content: "One instalment of the amount due at that date",
            trigger: `${instalmentRows}:contains('.03'), ${instalmentRows}:contains(',03')`,
        },
        {
            content: "Split in two",
            trigger: `${modal} button[name='action_split']`,
            run: "click",
        },
        {
            content: "Two equal instalments...",
            trigger: `${instalmentRows}:contains('500.01'), ${instalmentRows}:contains('500,01')`,
        },
        {
            content: "...the rounding on the last",
            trigger: `${instalmentRows}:contains('500.02'), ${instalmentRows}:contains('500,02')`,
        },
        ...saveAndNext("Tour Bravo SAS"),
        ...chooseOutcome("Call back", "Rappeler"),
        {
            content: "Call back in two days at 14:30",
            trigger: `${modal} .o_field_widget[name='callback_at'] input`,
            run: `edit ${formatDateTime(DateTime.now().plus({ days: 2 }).set({ hour: 14, minute: 30, second: 0 }))}`,
        },
        {
            trigger: `${modal} .o_field_widget[name='note'] textarea`,
            run: "edit The accountant is back on Wednesday",
        },
        ...saveAndNext("Tour Charlie EURL"),
        ...chooseOutcome("No answer", "Pas de réponse"),
        {
            content: "Save: that was the last customer",
            trigger: `${modal} button[name='action_confirm_next']`,
            run: "click",
        },
        {
            content: "The dialog closes on My Calls",
            trigger: "body:not(:has(.modal)) .o_list_view",
        },
    ],
});
