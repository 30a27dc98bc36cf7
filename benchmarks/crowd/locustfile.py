"""Debtors on their collection pages (run by benchmarks/crowd.py, which prepares CROWD_DATA).

Three kinds of users:

- ``Debtor`` (one per link): opens its page, downloads an invoice PDF,
  proposes a plan for its first invoice, disputes its second, then pays its
  third through payment_demo (even debtors) or declares a payment of it (odd
  ones); each form is double-clicked (two concurrent POSTs), then it comes back
  to its page now and then.
- ``Abuser`` (one): hammers a single link with page views and call-back
  requests from several connections at once, to reach the rate limits.
- ``Intruder`` (one): wrong, missing and borrowed tokens, unknown links.

Every answer's status is counted per route (JSON-RPC errors by exception
name, NotFound as 404) and written to CROWD_STATUS when locust stops.
"""

import itertools
import json
import os
import re
from collections import Counter, defaultdict

import gevent
from locust import HttpUser, between, constant, events, task

with open(os.environ["CROWD_DATA"]) as data_file:
    DATA = json.load(data_file)
STATUSES = defaultdict(Counter)
NEXT_DEBTOR = itertools.count()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# business refusals a JSON-RPC route may answer (a 4xx of its own kind); any other exception is a server error
RPC_REFUSALS = ("odoo.exceptions.ValidationError", "odoo.exceptions.UserError", "odoo.exceptions.AccessError")


@events.quitting.add_listener
def _write_statuses(environment, **_kwargs):
    with open(os.environ["CROWD_STATUS"], "w") as status_file:
        json.dump({name: dict(counts) for name, counts in STATUSES.items()}, status_file, indent=1)


class PageUser(HttpUser):
    abstract = True
    prefix = ""

    def http(self, method, url, name, expected, **kwargs):
        """One request; ``expected`` statuses are successes, anything else a failure."""
        with self.client.request(
            method, url, name=self.prefix + name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            # no status: the connection failed (refused, reset, timed out), by exception class
            outcome = str(response.status_code or f"0-{type(response.error).__name__}")
            STATUSES[self.prefix + name][outcome] += 1
            if response.status_code in expected:
                response.success()
            else:
                response.failure(f"status {response.status_code or response.error}")
            return response

    def rpc(self, url, name, params, expected=("result",)):
        """A JSON-RPC call; ``expected`` lists "result" and/or the error names that are fine."""
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        with self.client.post(url, json=payload, name=self.prefix + name, catch_response=True) as response:
            outcome = str(response.status_code or f"0-{type(response.error).__name__}")
            body = {}
            if response.status_code == 200:
                try:
                    body = response.json()
                except ValueError:
                    outcome = "200-not-json"
                error = body.get("error")
                if error:
                    code, kind = error.get("code"), error.get("data", {}).get("name", "?")
                    outcome = (
                        "404" if code == 404 else (f"4xx-rpc:{kind}" if kind in RPC_REFUSALS else f"500-rpc:{kind}")
                    )
                    if kind in expected or outcome in expected:
                        response.success()
                    else:
                        response.failure(f"{kind}: {error.get('data', {}).get('message', '')[:200]}")
                elif "result" in expected:
                    response.success()
                else:
                    response.failure("a result where a refusal was expected")
            else:
                response.failure(f"status {response.status_code}")
            STATUSES[self.prefix + name][outcome] += 1
            return body.get("result")

    def on_start(self):
        self.csrf = None
        # one request per connection, as Odoo's workers see them behind a proxy: a kept-alive
        # connection is closed by the worker after 2 s idle, racing with the client's next request
        self.client.headers["Connection"] = "close"

    def page(self, debtor, expected=(200,), name="/collect/[link]"):
        response = self.http("GET", self.url(debtor), name, expected)
        found = CSRF.search(response.text or "")
        if found:
            self.csrf = found.group(1)
        return response

    @staticmethod
    def url(debtor, path="", token=None):
        return f"/collect/{debtor['link']}{path}?access_token={token or debtor['token']}"

    def form(self, debtor, path, data, expected, files=None):
        if not self.csrf:  # its page did not answer (overload): open it again, as a person would
            self.page(debtor, (200, 429))
            if not self.csrf:
                return None
        payload = {"csrf_token": self.csrf, "access_token": debtor["token"], **data}
        return self.http(
            "POST", f"/collect/{debtor['link']}{path}", f"/collect/[link]{path}", expected, data=payload, files=files
        )

    def twice(self, function, *args, **kwargs):
        """A double click: the same request sent twice at once."""
        gevent.joinall([gevent.spawn(function, *args, **kwargs) for _click in range(2)])


class Debtor(PageUser):
    # a person reading the page, then filling a form: CROWD_THINK="10-30" seconds between two steps
    wait_time = between(*(float(bound) for bound in os.environ.get("CROWD_THINK", "10-30").split("-")))

    def on_start(self):
        super().on_start()
        self.debtor = DATA["debtors"][next(NEXT_DEBTOR) % len(DATA["debtors"])]
        self.journey = iter((self.open_page, self.download, self.propose_plan, self.dispute, self.settle))

    @task
    def next_step(self):
        step = next(self.journey, None)
        (step or self.open_page)()

    def open_page(self):
        self.page(self.debtor)

    def download(self):
        move_id = self.debtor["invoices"][0][0]
        self.http("GET", self.url(self.debtor, f"/invoice/{move_id}"), "/collect/[link]/invoice/[id]", (200,))

    def propose_plan(self):
        (day_1, amount_1), (day_2, amount_2) = self.debtor["plan"]
        data = {
            "invoice_ids": [self.debtor["invoices"][0][0]],
            **{"date_1": day_1, "amount_1": amount_1, "date_2": day_2, "amount_2": amount_2},
        }
        # the second click is refused (400: a plan already runs) once the first is recorded
        self.twice(self.form, self.debtor, "/plan", data, (303, 400))

    def dispute(self):
        data = {"invoice_id": self.debtor["invoices"][1][0], "reason": "amount", "message": "The price was 10 % less."}
        files = {"attachment": ("", b"", "application/octet-stream")}
        self.twice(self.form, self.debtor, "/dispute", data, (303, 400), files=files)

    def settle(self):
        move_id, amount = self.debtor["invoices"][2]
        if self.debtor["index"] % 2:
            data = {
                "invoice_ids": [move_id],
                "payment_date": DATA["today"],
                "amount": f"{amount:.2f}",
                "reference": "VIR-1",
            }
            files = {"attachment": ("", b"", "application/octet-stream")}
            self.twice(self.form, self.debtor, "/declare", data, (303, 400), files=files)
            return
        self.form(self.debtor, "/pay", {"invoice_ids": [move_id]}, (200,))
        processing = self.rpc(
            f"/collect/{self.debtor['link']}/transaction/{move_id}",
            "/collect/[link]/transaction/[invoices]",
            {
                "access_token": self.debtor["token"],
                "provider_id": DATA["provider_id"],
                "payment_method_id": DATA["method_id"],
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.url(self.debtor) + "&done=paid",
                "is_validation": False,
            },
        )
        if not processing:
            return
        params = {"reference": processing["reference"], "payment_details": "4242", "simulated_state": "done"}
        self.rpc("/payment/demo/simulate_payment", "/payment/demo/simulate_payment", params)
        self.http("GET", "/payment/status", "/payment/status", (200,))
        self.rpc("/payment/status/poll", "/payment/status/poll", {})


class Abuser(PageUser):
    """One person (or script) on one link: bursts of page views and call-back requests, all at once."""

    fixed_count = 1
    wait_time = constant(2)
    prefix = "abuse "
    burst = 15

    def on_start(self):
        super().on_start()
        self.debtor = DATA["abuser"]
        self.page(self.debtor)

    @task
    def hammer(self):
        when = self.debtor["plan"][0][0] + "T10:00"
        data = {"when": when, "phone": "+33 6 12 34 56 78", "message": "Call me"}
        jobs = [gevent.spawn(self.page, self.debtor, (200, 429)) for _i in range(self.burst)]
        jobs += [gevent.spawn(self.form, self.debtor, "/callback", data, (303, 429)) for _i in range(self.burst)]
        gevent.joinall(jobs)


class Intruder(PageUser):
    """Wrong tokens, another debtor's token, no token, unknown links: 4xx, never a 5xx."""

    fixed_count = 1
    wait_time = constant(1)
    prefix = "intruder "

    def on_start(self):
        super().on_start()
        self.victim, self.other = DATA["debtors"][0], DATA["debtors"][-1]

    @task
    def knock(self):
        victim, other = self.victim, self.other
        self.http("GET", self.url(victim, token="x" * 43), "/collect/[link] wrong token", (404,))
        self.http("GET", f"/collect/{victim['link']}", "/collect/[link] no token", (404,))
        self.http("GET", self.url(victim, token=other["token"]), "/collect/[link] other's token", (404,))
        self.http("GET", "/collect/999999999?access_token=x", "/collect/[unknown]", (404,))
        move_id = victim["invoices"][0][0]
        self.http("GET", self.url(other, f"/invoice/{move_id}"), "/collect/[link]/invoice/[other's]", (404,))
        self.http(
            "GET", self.url(victim, f"/invoice/{move_id}", "y" * 43), "/collect/[link]/invoice wrong token", (404,)
        )
        # a CSRF token of its own session (from its own page), a wrong access token
        if not self.csrf:
            self.page(other, name="its own page")
        data = {"csrf_token": self.csrf, "access_token": "z" * 43, "invoice_id": move_id, "reason": "amount"}
        self.http(
            "POST", f"/collect/{victim['link']}/dispute", "/collect/[link]/dispute wrong token", (404,), data=data
        )
        data = {"access_token": victim["token"], "invoice_id": move_id, "reason": "amount", "message": "no"}
        self.http("POST", f"/collect/{victim['link']}/dispute", "/collect/[link]/dispute no CSRF", (400,), data=data)
        params = {"access_token": "w" * 43, "amount": 1.0, "provider_id": DATA["provider_id"], "flow": "direct"}
        self.rpc(
            f"/collect/{victim['link']}/transaction/{move_id}",
            "/collect/[link]/transaction wrong token",
            params,
            ("404",),
        )
