import doctest
import importlib
import pkgutil

from odoo.tests import BaseCase

from odoo.addons.kreancia_collect import tools


class TestToolsDoctests(BaseCase):
    """The examples in the docstrings of ``tools/`` are part of the suite, so they stay true."""

    def test_doctests(self):
        modules = [
            importlib.import_module(f"{tools.__name__}.{info.name}") for info in pkgutil.iter_modules(tools.__path__)
        ]
        self.assertGreaterEqual(len(modules), 4)
        attempted = 0
        for module in modules:
            with self.subTest(module=module.__name__):
                result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
                self.assertEqual(result.failed, 0, f"{module.__name__}: {result.failed} failing example(s)")
                attempted += result.attempted
        self.assertGreater(attempted, 10, "the tools carry runnable examples")
