"""``netprov check`` results for people (rich), CI (JSON, JUnit XML, SARIF 2.1.0) and
merge-request comments (Markdown). Pure: a report in, text out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from netprov import __version__
from netprov.checks.gate import CheckReport
from netprov.checks.lint import RULES, LintFinding
from netprov.errors import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _finding_dict(report: CheckReport, finding: LintFinding) -> dict[str, object]:
    file, line, field = report.where(finding)
    return {
        "rule": finding.rule,
        "name": RULES[finding.rule].name,
        "severity": finding.severity.value,
        "site": finding.site,
        "message": finding.message,
        "file": file,
        "line": line,
        "field": field,
        "suppressed": finding.suppressed,
    }


def to_json(report: CheckReport) -> Iterator[str]:
    """The JSON report in pieces, for writing as they come: joined, the report of 10,000
    sites is tens of megabytes held twice (the pieces, then the text)."""
    return json.JSONEncoder(indent=2).iterencode(
        {
            "command": "check",
            "ok": not report.failed,
            "changed_since": report.changed_since,
            "problems": [p.as_dict() for p in report.problems],
            "secrets": report.secrets.as_dict() if report.secrets else None,
            "organisation": [_finding_dict(report, f) for f in report.organisation],
            "sites": [
                {
                    "site": s.site.id,
                    "phase": s.phase.value,
                    "file": s.file,
                    "line": s.line,
                    "planned_commands": s.commands,
                    "findings": [_finding_dict(report, f) for f in s.findings],
                }
                for s in report.sites
            ],
        },
    )


def to_junit(report: CheckReport) -> str:
    """One testcase per site (and one for the inventory), failures for unsuppressed errors."""
    suite = ET.Element("testsuite", name="netprov check")
    cases = 0
    failures = 0

    def case(
        name: str, classname: str, file: str, line: int | None, findings: list[LintFinding]
    ) -> None:
        nonlocal cases, failures
        cases += 1
        element = ET.SubElement(
            suite, "testcase", name=name, classname=classname, file=file, line=str(line or 0)
        )
        errors = [f for f in findings if f.severity is Severity.ERROR and f.suppressed is None]
        if errors:
            failures += 1
            failure = ET.SubElement(
                element,
                "failure",
                type=errors[0].rule,
                message="; ".join(f"{f.rule} {f.message}" for f in errors),
            )
            failure.text = "\n".join(
                f"{report.where(f)[0]}:{report.where(f)[1]}: {f.rule} {f.message}" for f in errors
            )
        others = [f for f in findings if f not in errors]
        if others:
            ET.SubElement(element, "system-out").text = "\n".join(
                f"{f.rule} {f.message}" + (f" (suppressed: {f.suppressed})" if f.suppressed else "")
                for f in others
            )

    problems = [p for p in report.problems if p.severity is Severity.ERROR]
    inventory_case = ET.SubElement(
        suite, "testcase", name="inventory", classname="validate", file=str(report.inventory)
    )
    cases += 1
    if problems:
        failures += 1
        failure = ET.SubElement(
            inventory_case, "failure", type="invalid-inventory", message=f"{len(problems)} error(s)"
        )
        failure.text = "\n".join(f"{p.location()}: {p.message}" for p in problems)
    case(
        "organisation",
        "policy",
        report.organisation_file,
        None,
        report.organisation,
    )
    for result in report.sites:
        case(
            result.site.id,
            f"policy.{result.site.kind.value}",
            result.file,
            result.line,
            result.findings,
        )
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _uri(path: str) -> str:
    return Path(path).as_posix()


def to_sarif(report: CheckReport) -> str:
    rules: list[dict[str, object]] = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    results: list[dict[str, object]] = []
    for problem in report.problems:
        results.append(
            {
                "ruleId": "NP000",
                "level": _LEVEL[problem.severity],
                "message": {
                    "text": f"{problem.field}: {problem.message}"
                    if problem.field
                    else problem.message
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(problem.file)},
                            "region": {"startLine": problem.line or 1},
                        }
                    }
                ],
            }
        )
    for finding in report.findings:
        file, line, _ = report.where(finding)
        result: dict[str, object] = {
            "ruleId": finding.rule,
            "level": _LEVEL[finding.severity],
            "message": {"text": (f"{finding.site}: " if finding.site else "") + finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(file)},
                        "region": {"startLine": line or 1},
                    }
                }
            ],
        }
        if finding.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed}]
        results.append(result)
    rules.insert(
        0,
        {
            "id": "NP000",
            "name": "valid-inventory",
            "shortDescription": {"text": "The inventory validates."},
            "defaultConfiguration": {"level": "error"},
        },
    )
    return json.dumps(
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "netprov",
                            "version": __version__,
                            "informationUri": "https://example.invalid/netprov",
                            "rules": rules,
                        }
                    },
                    "results": results,
                }
            ],
        },
        indent=2,
    )


def to_markdown(report: CheckReport) -> str:
    status = "❌ failed" if report.failed else "✅ passed"
    active = [f for f in report.findings if f.suppressed is None]
    lines = [f"### netprov check: {status}", ""]
    if report.changed_since:
        lines.append(
            f"Sites whose rendered config changed since `{report.changed_since}`: "
            f"**{len(report.sites)}**"
        )
        lines.append("")
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if errors:
        lines += [f"- `{p.location()}` {p.message}" for p in errors] + [""]
    lines += ["| severity | rule | site | where | message |", "|---|---|---|---|---|"]
    for finding in active:
        file, line, _ = report.where(finding)
        lines.append(
            f"| {finding.severity.value} | {finding.rule} {RULES[finding.rule].name} | "
            f"{finding.site or '(organisation)'} | `{file}:{line}` | {finding.message} |"
        )
    if not active:
        lines.append("| | | | | no findings |")
    changes = [s for s in report.sites if s.commands]
    if changes:
        lines += ["", f"**Planned changes** against stored backups: {len(changes)} site(s)", ""]
        for result in changes[:50]:
            commands = result.commands or []
            lines += [
                f"<details><summary>{result.site.id} → {result.phase.value} "
                f"({len(commands)} commands)</summary>",
                "",
                "```",
                *commands,
                "```",
                "</details>",
            ]
    return "\n".join(lines) + "\n"
