"""The tools nobody here wrote, as the browser tests use them: axe-core in the page (accessibility)
and the Nu HTML checker on what the server sent (validity). `make test` installs both."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / ".venv" / "browser-tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = Path(__file__).resolve().parents[2] / "test-artifacts" / "html"


def axe_violations(page) -> list[str]:  # noqa: ANN001 - a Playwright page
    """Every axe-core violation on the page as it stands (WCAG 2.1 A and AA, and best practice),
    one line each: the rule, its impact and where."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # evaluated by the browser: no CSP applies
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    return list(found)


def nu_errors(pages: dict[str, str]) -> list[str]:
    """The Nu HTML checker's errors on each page's HTML as the server sent it, one run for all."""
    PAGES.mkdir(parents=True, exist_ok=True)
    files = []
    for name, html in pages.items():
        path = PAGES / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", *files],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')} "
            f"[{(m.get('extract') or '').strip()[:80]}]" for m in messages if m.get("type") == "error"]
