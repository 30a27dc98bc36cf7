"""``odoo-bin`` for the crowd's server (``CROWD_ODOO_BIN=odoo-bin python3 odoo_server.py [arguments]``).

With ``--workers`` Odoo starts a gevent process for the websockets by
re-running ``sys.argv[0]``, this script, so the same fix applies to it: gevent's
monkey-patching loads its own plugins through ``pkg_resources``, which on
setuptools < 66 does not find ``zope.interface`` under its normalized
``zope_interface`` dist-info name and kills the process, which the server then
respawns every second, burning the CPU the benchmark measures. The one plugin
(gevent's own warning about signal and os patching) is skipped.
"""

import os

try:
    from gevent import events
except ImportError:
    pass
else:
    events.notify_and_call_entry_points = events.notify

ODOO_BIN = os.environ["CROWD_ODOO_BIN"]
# not runpy.run_path: it would set sys.argv[0] to odoo-bin, which the gevent process would then run
with open(ODOO_BIN) as source:
    exec(compile(source.read(), ODOO_BIN, "exec"), {"__name__": "__main__", "__file__": ODOO_BIN})
