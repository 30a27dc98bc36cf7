import { registry } from "@web/core/registry";
import { listView } from "@web/views/list/list_view";
import { ListController } from "@web/views/list/list_controller";

/**
 * My Calls: "Log a call" on a row sends the list's domain and order, so that
 * "Save and next" in the dialog walks the customers in the order the agent sees.
 */
export class KreanciaWorklistListController extends ListController {
    async beforeExecuteActionButton(clickParams) {
        if (clickParams.name === "action_log_call") {
            const root = this.model.root;
            clickParams.buttonContext = {
                ...(clickParams.buttonContext || {}),
                kreancia_worklist_domain: root.domain,
                kreancia_worklist_order: root.orderBy
                    .map((order) => `${order.name} ${order.asc ? "asc" : "desc"}`)
                    .join(", "),
            };
        }
        return super.beforeExecuteActionButton(...arguments);
    }
}

registry.category("views").add("kreancia_worklist_list", {
    ...listView,
    Controller: KreanciaWorklistListController,
});
