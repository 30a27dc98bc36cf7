"""Inserting the daily run's own records by the thousand.

``create()`` converts, caches and checks every value of every record, and
runs every override of ``create``: for the interventions and invoice lines
of a batch that costs as much as rendering their e-mails. The run knows
their final values (ids, dates, amounts rounded, stored related values), so
it inserts them in one query per table and then does what ``create()`` does
around the insert that matters to other records: fields depending on them
are marked to recompute, the new records join the one2many lists already in
the cache (many2many ones are read again) and the model's Python
constraints and company consistency are checked. ``tests/test_speed_guards.py``
compares the result with ``create()``'s on the models the run inserts.
"""

from collections import defaultdict

from odoo.tools import SQL, split_every, unique

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")
PLAIN_TYPES = {"boolean", "char", "date", "datetime", "float", "integer", "many2one", "monetary", "selection", "text"}
INSERT_CHUNK = 1000  # rows per INSERT


def _insertable(field):
    """A stored column whose value goes to SQL as it is."""
    return field.store and field.type in PLAIN_TYPES and not getattr(field, "translate", False)


def insert_records(model, rows):
    """Insert ``rows`` of ``model`` (dicts of stored column values, the same keys in each) and return the
    new records, in the order of ``rows``.

    The fields given must be plain columns (no translated, binary, JSON or x2many fields); the defaults of
    the other fields with one are taken once for all the rows.
    """
    if not rows:
        return model.browse()
    env = model.env
    model.check_access("create")
    names = list(rows[0])
    for name in names:
        if not _insertable(model._fields[name]):
            raise ValueError(f"{model._name}.{name} cannot be inserted in bulk")
    defaults = model.default_get(
        [
            name
            for name, field in model._fields.items()
            if _insertable(field) and field.default and name not in names and name not in LOG_COLUMNS
        ]
    )
    given = [*names, *defaults]
    columns = [*given, *LOG_COLUMNS]
    booleans = {name for name in given if model._fields[name].type == "boolean"}
    log_values = (env.uid, env.cr.now(), env.uid, env.cr.now())
    values = []
    for row in rows:
        if row.keys() != rows[0].keys():
            raise ValueError(f"{model._name}: every row inserted in bulk gives the same fields")
        merged = [row[name] for name in names] + list(defaults.values())
        # the ORM's False is SQL's NULL, but for booleans
        values.append(
            tuple(
                value if value is not False or name in booleans else None
                for name, value in zip(given, merged, strict=True)
            )
            + log_values
        )
    ids = []
    for chunk in split_every(INSERT_CHUNK, values):
        env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(model._table),
                SQL(", ").join(map(SQL.identifier, columns)),
                SQL(", ").join(chunk),
            )
        )
        ids.extend(id_ for (id_,) in env.cr.fetchall())
    records = model.browse(ids)
    for field in model._fields.values():
        # new ids: no row links to them yet (create() caches them so too)
        if field.store and field.type in ("one2many", "many2many"):
            field._update_cache(records, ())
    _created(records, columns, {name: [row[name] for row in rows] for name in names})
    return records


def insert_relations(records, field_name, related_ids):
    """Link each of ``records`` to the ids of ``related_ids`` (a list, one per record) through the
    many2many ``field_name``, in one query."""
    field = records._fields[field_name]
    pairs = [(record.id, related) for record, ids in zip(records, related_ids, strict=True) for related in ids]
    if pairs:
        records.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                SQL.identifier(field.relation),
                SQL.identifier(field.column1),
                SQL.identifier(field.column2),
                SQL(", ").join(pairs),
            )
        )
    _created(records, [field_name])
    # as the ORM's many2many write: what depends on the other side's relation is computed again
    related = records.env[field.comodel_name].browse({related for _record, related in pairs})
    for inverse in records.pool.field_inverses[field]:
        related.modified([inverse.name])


def _created(records, names, values=None):
    """What ``create()`` does for other records once rows are inserted (``values``: the list of values
    inserted, per field name given)."""
    model = records.browse()
    env = records.env
    for name in names:
        field = model._fields.get(name)
        if field is None:
            continue
        if field.type in ("one2many", "many2many"):
            # read again, in the order the database gives
            records.invalidate_recordset([name])
        inverses = model.pool.field_inverses[field]
        if field.type == "many2one" and values and name in values:
            _add_to_inverses(records, field, values[name])
        else:
            # the other side of a relation may be cached: it lacks the new records
            for inverse in inverses:
                env[inverse.model_name].invalidate_model([inverse.name])
    # the values given are final: computing them again (stored related fields) would only cost
    given = [model._fields[name] for name in names if name in model._fields]
    with env.protecting(given, records):
        records.modified(names, create=True)
    records._validate_fields(names)
    if model._check_company_auto:
        # as create(): the linked records belong to the record's company (in memory, from prefetched values)
        records._check_company([name for name in names if name in model._fields])


def _add_to_inverses(records, field, targets):
    """Add the new ``records`` to the one2many lists of their ``targets`` (ids) that are in the cache, in
    the order inserted (as ``create()`` does); a list that filters on more than its link is read again."""
    env = records.env
    ids_by_target = defaultdict(list)
    for record_id, target_id in zip(records._ids, targets, strict=True):
        if target_id:
            ids_by_target[target_id].append(record_id)
    for inverse in records.pool.field_inverses[field]:
        cache = inverse._get_cache(env)
        target_model = env[inverse.model_name]
        for target_id, record_ids in ids_by_target.items():
            cached = cache.get(target_id)
            if cached is None:
                continue  # read from the database when needed
            target = target_model.browse(target_id)
            if inverse.get_comodel_domain(target).is_true():
                inverse._update_cache(target, tuple(unique(cached + tuple(record_ids))))
            else:
                target.invalidate_recordset([inverse.name])
