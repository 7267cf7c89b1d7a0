"""The conformance run's outputs: the side-by-side table on stdout, TAP13, JUnit XML and a self-contained HTML
page. Every function takes the same data: lanes (in column order), cases (in row order) and
results[lane][case name] -> cases.Result."""
import datetime
import html
import os
import xml.etree.ElementTree as ET

from cases import FAIL, PASS, SKIP

LANE_ORDER = ("sim", "bochs", "qemu-kvm")


def counts(lanes, results):
    """{lane: (passed, failed, skipped)}"""
    out = {}
    for lane in lanes:
        s = [r.status for r in results[lane].values()]
        out[lane] = (s.count(PASS), s.count(FAIL), s.count(SKIP))
    return out


def summary_line(lanes, cases, results):
    c = counts(lanes, results)
    return f"conformance: {len(cases)} cases, " + ", ".join(f"{l} {c[l][0]}/{c[l][1]}/{c[l][2]}" for l in lanes)


def table(lanes, cases, results, out):
    w = max([len("case")] + [len(c.name) for c in cases])
    out.write(f"{'case':<{w}}" + "".join(f"  {l:<8}" for l in lanes) + "\n")
    for c in cases:
        out.write(f"{c.name:<{w}}" + "".join(f"  {results[l][c.name].status:<8}" for l in lanes) + "\n")
    fails = [(l, c.name, results[l][c.name].reason) for c in cases for l in lanes if results[l][c.name].status == FAIL]
    for lane, name, reason in fails:
        out.write(f"FAIL {lane} {name}: {reason}\n")
    skips = {}
    for c in cases:
        for l in lanes:
            r = results[l][c.name]
            if r.status == SKIP:
                skips.setdefault((l, r.reason), []).append(c.name)
    for (lane, reason), names in sorted(skips.items()):
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        out.write(f"SKIP {lane} ({len(names)}): {reason} [{shown}]\n")


def _one_line(s):
    return " ".join(str(s).split())


def write_tap(path, lanes, cases, results):
    rows = [(l, c) for l in lanes for c in cases]
    lines = ["TAP version 13", f"1..{len(rows)}"]
    for i, (lane, c) in enumerate(rows, 1):
        r = results[lane][c.name]
        desc = f"{lane}/{c.name} - {_one_line(c.title) or c.name}".replace("#", "\\#")
        if r.status == PASS:
            lines.append(f"ok {i} {desc}")
        elif r.status == SKIP:
            lines.append(f"ok {i} {desc} # SKIP {_one_line(r.reason).replace('#', '')}")
        else:
            lines.append(f"not ok {i} {desc}")
            lines += ["  ---", f"  message: {_yaml_str(r.reason)}", f"  lane: {lane}"]
            if r.logs:
                lines.append("  logs:")
                lines += [f"    - {_yaml_str(p)}" for p in r.logs]
            lines.append("  ...")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _yaml_str(s):
    return '"' + _one_line(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_junit(path, lanes, cases, results, seconds):
    root = ET.Element("testsuites", name="conformance")
    for lane in lanes:
        p, f, s = counts([lane], results)[lane]
        suite = ET.SubElement(root, "testsuite", name=f"conformance.{lane}", tests=str(len(cases)),
                              failures=str(f), skipped=str(s), errors="0", time=f"{seconds.get(lane, 0.0):.2f}")
        for c in cases:
            r = results[lane][c.name]
            tc = ET.SubElement(suite, "testcase", classname=f"conformance.{lane}", name=c.name)
            if r.status == FAIL:
                ET.SubElement(tc, "failure", message=_one_line(r.reason)[:500], type="FAIL").text = r.reason
            elif r.status == SKIP:
                ET.SubElement(tc, "skipped", message=_one_line(r.reason)[:500])
            out = [f"{r.status}: {r.reason}"] + [f"log: {p}" for p in r.logs]
            ET.SubElement(tc, "system-out").text = "\n".join(out)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


_CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px;vertical-align:top;text-align:left}
th{background:#f0f0f0}td.PASS{background:#dff5df}td.FAIL{background:#f8d4d4}td.SKIP{background:#eee;color:#555}
td .why{font-size:12px;color:#444;max-width:38em}td.case{white-space:nowrap}.title{color:#555;font-size:12px}
a{color:#1a4fa0}"""


def write_html(path, lanes, cases, results, seconds, command):
    base = os.path.dirname(os.path.abspath(path))
    c = counts(lanes, results)
    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>hvkit conformance</title>',
         f"<style>{_CSS}</style></head><body>", "<h1>hvkit conformance</h1>",
         f"<p>{html.escape(summary_line(lanes, cases, results))} (pass/fail/skip) &middot; "
         f"{html.escape(datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))} &middot; "
         f"<code>{html.escape(command)}</code></p>", "<ul>"]
    for lane in lanes:
        h.append(f"<li>{lane}: {c[lane][0]} passed, {c[lane][1]} failed, {c[lane][2]} skipped, "
                 f"{seconds.get(lane, 0.0):.1f} s</li>")
    h += ["</ul>", "<table><tr><th>case</th>" + "".join(f"<th>{lane}</th>" for lane in lanes) + "</tr>"]
    for case in cases:
        row = [f'<td class="case"><b>{html.escape(case.name)}</b><div class="title">{html.escape(case.title)}</div>'
               f'<div class="title">{html.escape(case.covers)}</div></td>']
        for lane in lanes:
            r = results[lane][case.name]
            rel = [html.escape(os.path.relpath(p, base)) for p in r.logs]
            links = "<br>".join(f'<a href="{p}">{p}</a>' for p in rel)
            row.append(f'<td class="{r.status}"><b>{r.status}</b><div class="why">{html.escape(r.reason)}</div>'
                       f"{links}</td>")
        h.append("<tr>" + "".join(row) + "</tr>")
    h += ["</table>", "</body></html>"]
    with open(path, "w") as f:
        f.write("\n".join(h) + "\n")
