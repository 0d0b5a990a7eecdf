"""axe-core accessibility scans of a local HTML file in headless Chromium (no browser driver).

axe-core (the npm package) is installed with npm into a cache folder when missing. The scan runs on a
copy of the file with axe and a small runner script appended; the runner writes axe's JSON result
into the page, and Chromium's --dump-dom (with a virtual-time budget for the async scan) returns it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from hyte_assets_tests.e2e import chromium

CACHE = Path(os.environ.get("HYTE_AXE_DIR", Path.home() / ".cache" / "hyte-axe"))
RUNNER = """
<script>
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  var out = document.createElement('pre');
  out.id = 'axe-result';
  out.textContent = JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) {
      return n.target.join(' '); })};
  }));
  document.body.appendChild(out);
});
</script>
"""


def find_or_install() -> tuple[Path | None, str]:
    """axe.min.js, installing `axe-core` with npm into CACHE when missing; (None, why) otherwise."""
    script = CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed"
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(CACHE), "axe-core@4"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return None, "npm install axe-core timed out"
    if done.returncode != 0 or not script.exists():
        return None, f"npm install axe-core failed ({done.returncode}): {done.stderr[-1000:]}"
    return script, ""


def scan(binary: str, html_file: Path, work: Path, axe_script: Path) -> list[dict[str, object]]:
    """axe's violations for the page (id, impact, help, up to three node selectors)."""
    page = work / f"axe_{html_file.name}"
    source = html_file.read_text(encoding="utf-8")
    injected = f"<script>{axe_script.read_text(encoding='utf-8')}</script>{RUNNER}"
    page.write_text(source.replace("</body>", injected + "</body>", 1), encoding="utf-8")
    done = chromium.run(binary, page.as_uri(), work / "axe-profile", "--dump-dom", timeout_s=300)
    match = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.S)
    if match is None:
        raise AssertionError(f"axe produced no result: {done.stderr[-2000:]}")
    import html

    return json.loads(html.unescape(match.group(1)))
