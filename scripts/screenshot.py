"""Screenshot pages of a running Odoo in headless Chromium, logged in.

Usage: python3 scripts/screenshot.py URL_PATH OUT.png [--db kreancia_demo] [--login admin] [--js CODE]

Authenticates through /web/session/authenticate, hands the session cookie
to Chromium over the DevTools protocol and saves a PNG once the page is idle.
"""

import argparse
import base64
import json
import subprocess
import tempfile
import time
import urllib.request

import requests
import websocket


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("out")
    parser.add_argument("--base", default="http://localhost:8069")
    parser.add_argument("--db", default="kreancia_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait", type=float, default=4.0)
    parser.add_argument("--port", type=int, default=9333, help="Chromium's DevTools port (one per screenshot run)")
    parser.add_argument("--js", help="JavaScript run once the page is loaded (e.g. a click), then 2 s more")
    args = parser.parse_args()

    session = requests.Session()
    session.post(
        f"{args.base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": args.db, "login": args.login, "password": args.password}},
        timeout=30,
    ).raise_for_status()
    sid = session.cookies.get("session_id")

    port = args.port
    profile = tempfile.mkdtemp()
    chrome = subprocess.Popen(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--remote-allow-origins=*",
            f"--window-size={args.width},{args.height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.2)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        counter = iter(range(1, 1000))

        def call(method, **params):
            message_id = next(counter)
            ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
            while True:
                reply = json.loads(ws.recv())
                if reply.get("id") == message_id:
                    return reply.get("result", {})

        call("Network.enable")
        call("Network.setCookie", name="session_id", value=sid, url=args.base)
        call(
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        call("Page.enable")
        call("Page.navigate", url=f"{args.base}{args.path}")
        time.sleep(args.wait)
        if args.js:
            call("Runtime.evaluate", expression=args.js)
            time.sleep(2)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        print(args.out)
    finally:
        chrome.terminate()


if __name__ == "__main__":
    main()
