"""Open screens the way the web client does, from Python tests.

The web client loads a window action's views with ``get_views``, builds a
``web_read`` specification from the fields each view's arch declares (with
nested specifications for the list, kanban and form sub-views of its one2many
and many2many fields, and ``display_name`` for many2one values), then reads
records with ``web_search_read`` (list, kanban) or ``web_read`` (form).
Doing the same in a test reads exactly what a user's screen reads, so a field
the user may not read fails the test as it fails in the browser::

    screens = open_action(env(user=accountant), "account.res_partner_action_customer", res_id=customer.id)
    screens["form"][0]["dunning_call_ids"]  # the calls as the Collection tab shows them
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

X2MANY = ("one2many", "many2many")
SUBVIEWS = ("list", "kanban", "form")


def _merge(spec, other):
    for name, sub in other.items():
        target = spec.setdefault(name, {})
        if "fields" in sub:
            _merge(target.setdefault("fields", {}), sub["fields"])
    return spec


def _node_spec(node, model, models):
    spec = {}
    fields = models.get(model, {}).get("fields", {})
    for child in node.iterchildren(tag=etree.Element):
        if child.tag != "field":
            _merge(spec, _node_spec(child, model, models))
            continue
        description = fields.get(child.get("name"))
        if not description:
            continue
        if description["type"] in X2MANY:
            sub = {}
            for view in child.iterchildren(*SUBVIEWS):
                _merge(sub, _node_spec(view, description["relation"], models))
            field_spec = {"fields": sub or {"display_name": {}}}
        elif description["type"] == "many2one":
            field_spec = {"fields": {"display_name": {}}}
        else:
            field_spec = {}
        _merge(spec, {child.get("name"): field_spec})
    return spec


def view_spec(view, model, models):
    """The ``web_read`` specification of one view returned by ``get_views``.

    :param view: ``get_views(...)["views"][view_type]``
    :param models: ``get_views(...)["models"]``
    """
    return _node_spec(etree.fromstring(view["arch"]), model, models)


def eval_context(env):
    """The names a window action's domain and context are evaluated with."""
    return {
        "uid": env.uid,
        "context_today": date.today,
        "relativedelta": relativedelta,
        "datetime": safe_datetime,
        "time": safe_time,
        "allowed_company_ids": env.companies.ids,
        "current_company_id": env.company.id,
    }


def open_action(env, xmlid, res_id=None, filters=False):
    """Open the window action ``xmlid`` (or the action record) as ``env``'s user; return what each view read.

    Lists and kanbans read the action's records, the form reads ``res_id``
    (when given). With ``filters``, every filter of the search view is applied
    too, and every group-by filter groups the records.
    """
    action = (env.ref(xmlid) if isinstance(xmlid, str) else xmlid).sudo()
    names = eval_context(env)
    context = safe_eval(action.context or "{}", names)
    domain = safe_eval(action.domain or "[]", names)
    model = env[action.res_model].with_context(**context)
    views = [list(view) for view in action.views] + [[action.search_view_id.id or False, "search"]]
    loaded = model.get_views(views, {"load_filters": True, "toolbar": True, "action_id": action.id})
    screens = {}
    for view_type, view in loaded["views"].items():
        spec = view_spec(view, action.res_model, loaded["models"])
        if view_type in ("list", "kanban"):
            screens[view_type] = model.web_search_read(domain, spec, limit=80)["records"]
        elif view_type == "form" and res_id:
            screens["form"] = model.browse(res_id).web_read(spec)
        elif view_type == "search" and filters:
            screens["search"] = _apply_filters(model, domain, etree.fromstring(view["arch"]), names)
    return screens


def _apply_filters(model, domain, arch, names):
    counts = {}
    for node in arch.iter("filter"):
        if node.get("domain"):
            counts[node.get("name")] = model.search_count(domain + safe_eval(node.get("domain"), names))
        group_by = safe_eval(node.get("context") or "{}", names).get("group_by")
        if group_by:
            groups = model.web_read_group(domain, [group_by], ["__count"])["groups"]
            counts[node.get("name")] = len(groups)
    return counts
