#!/usr/bin/python3
"""Checks one report mail received by tests/lib/smtpd.py against the report
directory it was built from and the run's figures in the database.

usage: mailcheck.py EML REPORT_DIR SUMMARY_JSON LANG WEEK BASE_URL TO RUN_ID
Prints each problem and exits 1 when there is any.
"""
import email
import email.utils
import json
import os
import re
import sys
from email import policy

eml, report, summary_json, lang, week, base_url, to, run_id = sys.argv[1:9]
problems = []


def want(cond, what):
    if not cond:
        problems.append(what)


raw = open(eml, "rb").read()
msg = email.message_from_bytes(raw, policy=policy.default)
head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")

# Headers.
for h in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version"):
    want(msg[h] is not None, "header %s present" % h)
want(email.utils.parsedate_to_datetime(str(msg["Date"])).utcoffset() is not None, "Date parses")
want(re.fullmatch(r"<crmx\.%s\.[0-9a-f]{16}@[^>]+>" % week, str(msg["Message-ID"])),
     "Message-ID form: %s" % msg["Message-ID"])
want(str(msg["To"]) == to, "To is %s (got %s)" % (to, msg["To"]))
want(str(msg["X-Crmx-Week"]) == week, "X-Crmx-Week")
want(str(msg["X-Crmx-Run"]) == run_id, "X-Crmx-Run %s = run %s" % (msg["X-Crmx-Run"], run_id))
subject = str(msg["Subject"])
if lang == "zh_CN":
    y, w = week.split("-W")
    want(subject == "销售周报 %s年第%d周" % (y, int(w)), "Chinese subject: %r" % subject)
    want(re.search(r"^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=", head, re.M),
         "Subject as RFC 2047 encoded words")
    want(str(msg["Content-Language"]) == "zh-CN", "Content-Language zh-CN")
else:
    want(subject == "Weekly sales report %s" % week, "English subject: %r" % subject)

# Structure: mixed [ related [ alternative [plain, html], png... ], csv... ].
want(msg.get_content_type() == "multipart/mixed", "top is multipart/mixed")
parts = list(msg.iter_parts())
related = parts[0]
want(related.get_content_type() == "multipart/related", "first part is multipart/related")
rparts = list(related.iter_parts())
alt = rparts[0]
want(alt.get_content_type() == "multipart/alternative", "related starts with the alternative")
kinds = [p.get_content_type() for p in alt.iter_parts()]
want(kinds == ["text/plain", "text/html"], "alternative holds plain then html: %s" % kinds)
text = msg.get_body(("plain",)).get_content()
html = msg.get_body(("html",)).get_content()
want("<script" not in html.lower(), "no script in the HTML")
want("style=" in html and "<table" in html, "HTML laid out with tables and inline CSS")

# Inline charts: every cid: resolves, every chart is there, bytes equal.
images = {p["Content-ID"].strip("<>"): p for p in rparts[1:]}
refs = re.findall(r'src="cid:([^"]+)"', html)
want(len(refs) > 0 or not os.path.isdir(os.path.join(report, "charts")), "HTML shows charts")
for cid in refs:
    p = images.get(cid)
    want(p is not None, "cid:%s resolves to a part" % cid)
    if p is not None:
        want(p.get_content_type() == "image/png", "%s is image/png" % cid)
        want(p.get_content().startswith(b"\x89PNG"), "%s is a PNG" % cid)
        want(p.get_content_disposition() == "inline", "%s is inline" % cid)
want(sorted(images) == sorted(refs), "every inline image is referenced once")
rep = json.load(open(os.path.join(report, "summary.json")))
code = "zh-CN" if lang == "zh_CN" else "en"
first = (rep.get("languages") or [code])[0]
charts = []
if "charts" in rep:
    for c in rep["charts"]:
        if not c["ok"]:
            continue
        own = os.path.join(report, "charts", "%s.%s.png" % (c["name"], code))
        charts.append(own if code != first and os.path.exists(own) else os.path.join(report, c["png"]))
else:
    d = os.path.join(report, "charts")
    charts = [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".png")] if os.path.isdir(d) else []
want(len(charts) > 0, "the report has charts")
want(sorted(p.get_content() for p in images.values()) ==
     sorted(open(f, "rb").read() for f in charts),
     "the inline images are the report's %d charts for %s" % (len(charts), code))

# Attachments: the report's CSV files, byte for byte.
csvs = {f: open(os.path.join(report, f), "rb").read()
        for f in os.listdir(report) if f.endswith(".csv")}
want(len(csvs) > 0, "the report has CSV files")
atts = {p.get_filename(): p for p in parts[1:]}
want(sorted(atts) == sorted(csvs), "attachments %s = CSV files %s" % (sorted(atts), sorted(csvs)))
for name, p in atts.items():
    want(p.get_content_disposition() == "attachment", "%s is an attachment" % name)
    want(p.get_content_type() == "text/csv", "%s is text/csv" % name)
    body = p.get_payload(decode=True)
    want(body == csvs.get(name), "%s has the report's bytes" % name)

# The figures of the run, formatted as reportd formats them.
s = json.loads(summary_json)


def get(path):
    v = s
    for k in path.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    return v


def money(v):
    # fmt_amount: in Chinese 万/亿 from 10,000 up (3 significant digits
    # at most, trailing zeros dropped), else in full to the cent
    a = abs(v)
    if lang == "zh_CN" and a >= 1e4:
        a, unit = (a / 1e8, "亿") if a >= 1e8 else (a / 1e4, "万")
        n = "{:,.{}f}".format(a, 0 if a >= 100 else 1 if a >= 10 else 2)
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        return ("-" if v < 0 else "") + "¥" + n + unit
    return ("-" if v < 0 else "") + "¥" + "{:,.2f}".format(a)


ARROWS = ("\u25ba", "\u25b2", "\u25bc")  # unchanged, up, down


def change(v, before, pct):
    d = v - before
    arrow = ARROWS[0] if abs(d) < 1e-9 else ARROWS[1] if d > 0 else ARROWS[2]
    if pct:
        return "%s %.1f %s" % (arrow, abs(d) * 100, "个百分点" if lang == "zh_CN" else "pts")
    if before != 0:
        return "%s %.1f%%" % (arrow, abs(d / before) * 100)
    return "%s %s" % (arrow, "{:,.0f}".format(abs(d)))


pct = lambda v: "%.1f%%" % (100 * v)
count = lambda v: "{:,.0f}".format(v)
figures = [
    ("revenue", "Revenue, last 12 months", "近 12 个月收入", "accounts.total", money),
    (None, "Accounts with revenue", "有收入的客户数", "accounts.n", count),
    ("top20_share", "Revenue from the top 20% of accounts", "前 20% 客户的收入占比",
     "accounts.top20_share", pct),
    ("win_rate", "Win rate", "赢单率", "funnel.win_rate", pct),
    ("open_deals", "Open deals", "进行中的商机", "funnel.open_deals", count),
    ("weighted_pipeline", "Weighted pipeline", "加权商机金额", "funnel.weighted_pipeline", money),
]
previous = {h["id"]: h.get("previous") for h in rep.get("headline", [])}
checked = changes = 0
for fid, en, zh, path, fmt in figures:
    v = get(path)
    label = zh if lang == "zh_CN" else en
    if v is None:
        continue
    line = ("  %s：%s" if lang == "zh_CN" else "  %s: %s") % (label, fmt(v))
    got = [l for l in text.splitlines() if l == line or l.startswith(line + "   (")]
    want(len(got) == 1, "text part has %r" % line)
    want(">%s</td>" % fmt(v) in html, "HTML part has %s for %s" % (fmt(v), label))
    before = previous.get(fid) if fid else None
    if got and before is not None:
        c = change(v, before, fmt is pct)
        want(got[0] == line + "   (%s)" % c, "change against last week: %r in %r" % (c, got[0]))
        want(">%s</td>" % c in html, "HTML shows the change %s" % c)
        changes += 1
    checked += 1
want(checked >= 5, "enough figures compared (%d)" % checked)
if os.environ.get("MAILCHECK_CHANGES"):
    want(changes >= 3, "changes against last week compared (%d)" % changes)

page = (rep.get("pages") or {}).get(code, "index.html")
link = base_url.rstrip("/") + "/" + week + "/" + ("" if page == "index.html" else page)
want(link in text, "text links to %s" % link)
want('href="%s"' % link in html, "HTML links to %s" % link)

for p in problems:
    print("mailcheck %s: %s" % (os.path.basename(eml), p))
sys.exit(1 if problems else 0)
