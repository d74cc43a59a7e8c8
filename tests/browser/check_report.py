#!/usr/bin/env python3
"""Opens a Keepsake report in headless Chromium and checks it the way a person would see
it: every image loads, no request leaves the machine (every URL is file:, data: or
about:), a story plays in the page's player (the picture changes), the linked AV1 video plays in
Chromium's own player, face boxes are hidden until asked for and then all show; saves a
full-page screenshot. Talks to Chromium over the DevTools protocol on a pipe (fds 3 and 4), so no
port is opened. Standard library only.

usage: check_report.py CHROMIUM INDEX_HTML SCREENSHOT_PNG
Prints one JSON object with the findings; exits 1 when a check fails.
"""
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 90.0
LOCAL_SCHEMES = ("file:", "data:", "about:")


class Browser:
    def __init__(self, chromium, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def child():
            # Move both ends out of the way first, so neither dup2 clobbers the other.
            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions",
            "--remote-debugging-pipe", f"--user-data-dir={profile}", "--window-size=1280,1600",
            "about:blank",
        ]
        self.proc = subprocess.Popen(args, preexec_fn=child, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.res_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read_message()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def evaluate(b, session, expression):
    r = b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                    "awaitPromise": True}, session)
    if "exceptionDetails" in r:
        raise RuntimeError(f"page script failed: {r['exceptionDetails']}")
    return r["result"].get("value")


def main():
    chromium, index, shot = sys.argv[1], pathlib.Path(sys.argv[2]).resolve(), pathlib.Path(sys.argv[3])
    profile = tempfile.mkdtemp(prefix="keepsake-chromium-")
    b = Browser(chromium, profile)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.call("Network.enable", {}, session)
        b.call("Page.enable", {}, session)
        b.call("Page.navigate", {"url": index.as_uri()}, session)
        b.wait_event("Page.loadEventFired")
        # Open every "The photos" section, as a reader would (closed <details> content is
        # not loaded), then wait until every image is complete.
        evaluate(b, session, "document.querySelectorAll('details').forEach(d => d.open = true); true")
        state = None
        for _ in range(100):
            state = evaluate(b, session, """(() => {
                const imgs = [...document.images];
                return {total: imgs.length,
                        pending: imgs.filter(i => !i.complete).length,
                        broken: imgs.filter(i => i.complete && i.naturalWidth === 0)
                                    .map(i => i.getAttribute('src'))};
            })()""")
            if state["pending"] == 0:
                break
            time.sleep(0.1)
        # The first story player: the picture shown, then play it for a while — past the
        # title card — and look at the picture again.
        players = evaluate(b, session, "document.querySelectorAll('.player').length")
        screen = evaluate(b, session, """(() => {
            const s = document.querySelector('.player .screen');
            s.scrollIntoView();
            const r = s.getBoundingClientRect();
            return {x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width,
                    height: r.height};
        })()""")

        def picture():
            shot_ = b.call("Page.captureScreenshot", {"format": "png", "clip": dict(screen, scale=1),
                                                      "captureBeyondViewport": True}, session)
            return shot_["data"]

        story_before = picture()
        evaluate(b, session, "document.querySelector('.player button').click(); true")
        time.sleep(3.5)
        shown = evaluate(b, session, "+(document.querySelector('.player').dataset.shown || 0)")
        story_after = picture()
        visible_boxes = """[...document.querySelectorAll('.box')]
            .filter(b => getComputedStyle(b).display !== 'none').length"""
        before = evaluate(b, session, visible_boxes)
        evaluate(b, session, "document.getElementById('faces').click(); true")
        after = evaluate(b, session, visible_boxes)
        boxes = evaluate(b, session, "document.querySelectorAll('.box').length")
        metrics = b.call("Page.getLayoutMetrics", {}, session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000),
                "scale": 1}
        png = b.call("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                "captureBeyondViewport": True}, session)
        shot.parent.mkdir(parents=True, exist_ok=True)
        shot.write_bytes(base64.b64decode(png["data"]))
        # The first linked video, opened as a person would (its own page, Chromium's
        # player): it must load, decode (a picture size) and last as long as its story.
        video_href = evaluate(b, session, "(document.querySelector('a.video') || {}).href || ''")
        video = {}
        if video_href:
            b.call("Page.navigate", {"url": video_href}, session)
            b.wait_event("Page.loadEventFired")
            for _ in range(100):
                video = evaluate(b, session, """(() => {
                    const v = document.querySelector('video');
                    return v ? {ready: v.readyState, width: v.videoWidth, height: v.videoHeight,
                                duration: v.duration, error: v.error && v.error.code} : {};
                })()""")
                if video.get("ready", 0) >= 2 or video.get("error"):
                    break
                time.sleep(0.1)
        requests = [e["params"]["request"]["url"] for e in b.events
                    if e.get("method") == "Network.requestWillBeSent"]
        # A load the page itself dropped (the player moving to the next frame, leaving
        # for the video) is aborted, not failed.
        failed = [e["params"].get("errorText") for e in b.events
                  if e.get("method") == "Network.loadingFailed"
                  and e["params"].get("errorText") != "net::ERR_ABORTED"]
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    external = [u for u in requests if not u.startswith(LOCAL_SCHEMES)]
    result = {
        "images": state["total"], "pending": state["pending"], "broken": state["broken"],
        "requests": len(requests), "external": external, "failed_loads": failed,
        "boxes": boxes, "visible_before": before, "visible_after": after,
        "players": players, "story_frame_shown": shown,
        "story_picture_changed": story_before != story_after,
        "video": video,
        "screenshot": str(shot), "screenshot_bytes": shot.stat().st_size,
    }
    print(json.dumps(result))
    ok = (state["total"] > 0 and state["pending"] == 0 and not state["broken"] and not external
          and not failed and before == 0 and after == boxes and players > 0 and shown > 0
          and story_before != story_after and video.get("ready", 0) >= 2
          and video.get("width", 0) > 0 and not video.get("error"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
