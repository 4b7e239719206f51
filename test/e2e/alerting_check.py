"""Checks for alerting_test.sh. Usage:
  alerting_check.py simulated KV.jsonl HEALTHY.jsonl SQL.jsonl KV_DATA_DIR   (needs INFERMETRY_BIN)
  alerting_check.py hook HOOK.jsonl firing|resolved
  alerting_check.py am ALERTMANAGER_URL
  alerting_check.py api ALERTS.json RULES.json
  alerting_check.py restart ALERTS_BEFORE.json ALERTS_AFTER.json ALERTS_LATER.json HISTORY.json HOOK.jsonl
"""
import datetime
import json
import os
import subprocess
import sys
import urllib.request

MIN = 60_000


def transitions(path):
    """The state changes `rules eval` printed (events of the alerts stream), with t_ms added."""
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                t["t_ms"] = ms(t["p_timestamp"])
                out.append(t)
    return out


def ms(rfc3339):
    t = rfc3339.replace("Z", "")
    if "." not in t:
        t += ".000"
    return int(datetime.datetime.fromisoformat(t).replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def data_end(data_dir):
    out = subprocess.run([os.environ["INFERMETRY_BIN"], "query", "--data-dir", data_dir, "--format", "json",
                          "SELECT max(p_timestamp) AS t FROM metrics"], check=True, capture_output=True, text=True)
    return ms(json.loads(out.stdout)[0]["t"])


def simulated(kv_path, healthy_path, sql_path, kv_dir):
    end = data_end(kv_dir)
    kv = transitions(kv_path)
    for name, hold in (("VllmKvCacheSaturated", 5 * MIN), ("VllmCapacityExhausted", 5 * MIN)):
        mine = [t for t in kv if t["alertname"] == name]
        assert mine, f"{name}: no state change in the kv-cache-pressure run"
        first_pending = next(t for t in mine if t["state"] == "pending")
        first_firing = next(t for t in mine if t["state"] == "firing")
        assert first_firing["t_ms"] - first_pending["t_ms"] >= hold, (name, first_pending, first_firing)
        assert float(first_firing["value"]) > 0.9, first_firing
        last = mine[-1]
        assert last["state"] == "inactive", f"{name}: still {last['state']} at the end"
        resolve = [t for t in mine if t["previous_state"] == "firing" and t["state"] == "inactive"]
        assert resolve and resolve[-1]["t_ms"] > end, (name, resolve[-1:], end)
        assert resolve[-1]["t_ms"] <= end + 6 * MIN, (name, resolve[-1], end)  # 5 min lookback
        print(f"ok: {name} pending at +{(first_pending['t_ms'] - kv[0]['t_ms']) / 1000:.0f}s, firing "
              f"{(first_firing['t_ms'] - first_pending['t_ms']) / 1000:.0f}s later, resolved "
              f"{(resolve[-1]['t_ms'] - end) / 1000:.0f}s after the data ends")
    healthy = transitions(healthy_path)
    assert not healthy, f"the healthy hour changed alert states: {healthy[:3]}"
    print("ok: a healthy simulated hour fires nothing")
    sql = transitions(sql_path)
    fired = {t["alertname"] for t in sql if t["state"] == "firing"}
    assert "KvCacheSaturation" in fired, fired
    assert {"HighP99Latency", "HighTimeToFirstToken"} <= fired, fired
    kv_sql = [t for t in sql if t["alertname"] == "KvCacheSaturation"]
    assert kv_sql[-1]["state"] == "inactive", kv_sql[-1]
    print(f"ok: the guide's SQL alerts as sql: rules fired: {sorted(fired)}, and resolved after the data ended")


def hook_messages(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                req = json.loads(line)
                out.append(json.loads(req["body"]) if isinstance(req["body"], str) else req["body"])
    return out


def hook(path, status):
    msgs = [m for m in hook_messages(path) if m.get("status") == status]
    assert msgs, f"no {status} message"
    a = msgs[0]["alerts"][0]
    assert a["status"] == status, a
    labels = a["labels"]
    want = {"alertname": "KvCacheHigh", "severity": "warning", "model_name": "llama", "instance": "gpu-0:8000"}
    assert labels == want, labels
    if status == "firing":
        assert a["annotations"]["summary"] == "KV cache at 97% on gpu-0:8000", a["annotations"]
        assert a["generatorURL"].startswith("http://127.0.0.1:"), a
        firing = [m for m in hook_messages(path) if m.get("status") == "firing"]
        assert len(firing) == 1, f"{len(firing)} firing notifications (want 1): {firing}"
    print(f"ok: Alertmanager's webhook got the {status} alert: {labels}")


def am(url):
    with urllib.request.urlopen(url + "/api/v2/alerts") as r:
        alerts = json.load(r)
    mine = [a for a in alerts if a["labels"].get("alertname") == "KvCacheHigh"]
    assert len(mine) == 1, alerts
    assert mine[0]["status"]["state"] == "active", mine[0]
    assert mine[0]["annotations"]["summary"] == "KV cache at 97% on gpu-0:8000", mine[0]
    print("ok: Alertmanager holds the alert, active, with its annotations")


def active(path):
    with open(path) as f:
        body = json.load(f)
    assert body["status"] == "success", body
    return [a for a in body["data"]["alerts"] if a["labels"]["alertname"] == "KvCacheHigh"]


def api(alerts_path, rules_path):
    a = active(alerts_path)
    assert len(a) == 1 and a[0]["state"] == "firing", a
    with open(rules_path) as f:
        rules = json.load(f)["data"]["groups"]
    r = rules[0]["rules"][0]
    assert r["name"] == "KvCacheHigh" and r["type"] == "alerting" and r["health"] == "ok", r
    assert r["state"] == "firing" and r["duration"] == 3 and len(r["alerts"]) == 1, r
    print("ok: /api/v1/alerts and /api/v1/rules show the firing alert")


def restart(before_path, after_path, later_path, history_path, hook_path):
    before, after, later = active(before_path), active(after_path), active(later_path)
    assert after and after[0]["state"] == "firing", f"not firing right after the restart: {after}"
    assert after[0]["activeAt"] == before[0]["activeAt"], (before, after)
    assert later and later[0]["state"] == "firing" and later[0]["activeAt"] == before[0]["activeAt"], later
    with open(history_path) as f:
        rows = json.load(f)
    counts = {r["state"]: r["n"] for r in rows}
    assert counts == {"pending": 1, "firing": 1}, f"alerts stream: {rows}"
    firing = [m for m in hook_messages(hook_path) if m.get("status") == "firing"]
    assert len(firing) == 1, f"{len(firing)} firing notifications after the restart"
    print(f"ok: after SIGKILL and restart the alert is still firing since {after[0]['activeAt']}; "
          f"the alerts stream holds one pending and one firing change; no new notification")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"simulated": simulated, "hook": hook, "am": am, "api": api, "restart": restart}[cmd](*args)
