import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kreancia_letters_posted_tour", {
    steps: () => [
        {
            content: "Select the formal notice waiting in Letters to Send",
            trigger: ".o_list_view .o_data_row:contains('Tour Letter SARL') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Mark it as posted",
            trigger: ".o_control_panel button:contains('Mark as posted'), .o_control_panel button:contains('Marquer comme posté')",
            run: "click",
        },
        {
            content: "A formal notice goes by registered mail: its number is asked",
            trigger: ".modal .o_field_widget[name='tracking_number'] input",
            run: "edit 1A 234 567 8901 2",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The letter has left the list of letters to send",
            trigger: "body:not(:has(.modal)) .o_list_view:not(:has(.o_data_row:contains('Tour Letter SARL')))",
        },
    ],
});
