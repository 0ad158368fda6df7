// The HTML handouts a teacher prints: `ephemeron run --html` executes a
// notebook and has nbconvert render it; headless Chromium then shows the
// outputs (the weak reference counts, gc.heap()'s table and SVG chart) and no
// terminal colour codes, and a screenshot of each lands in out/.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { ephemeron } from "../cli/ephemeron.js";
import { CHROMIUM, CHROMIUM_ARGS, describeWithTool, NBCONVERT } from "../clients/jupyter.js";

const OUT = join(PACKAGE_ROOT, "out");
const HANDOUTS = ["02-weak-references-and-proxies", "04-caches-for-large-objects"];
// ESC, or what is left of a colour code when the ESC byte itself was dropped ("[0;31m", "[2m", "[39m").
const ANSI = /\u001b|\[(?:\d{1,3};)*\d{1,3}m/;

describeWithTool(NBCONVERT, "HTML handouts made with `ephemeron run --html`, opened in headless Chromium", () => {
  let dir: string;
  let browser: Browser | undefined;
  let runError = "";
  const pages = new Map<string, Page>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ephemeron-handout-"));
    const result = await ephemeron(["run", ...HANDOUTS.map((name) => join(PACKAGE_ROOT, "notebooks", `${name}.ipynb`)), "--out", dir, "--html", "--quiet"], { timeoutMs: 240_000 });
    if (result.code !== 0) {
      runError = `ephemeron run --html exited ${result.code}:\n${result.stderr}`;
      return;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS });
    mkdirSync(OUT, { recursive: true });
    for (const name of HANDOUTS) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(pathToFileURL(join(dir, `${name}.html`)).href, { waitUntil: "load" });
      // nbconvert's page loads MathJax from a CDN; offline its "Loading…" banner would cover the screenshot.
      await page.addStyleTag({ content: "#MathJax_Message { display: none !important; }" });
      await page.screenshot({ path: join(OUT, `handout-${name.slice(0, 2)}.png`), fullPage: true });
      pages.set(name, page);
    }
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pageOf = (name: string): Page => {
    expect(runError).toBe("");
    const page = pages.get(name);
    if (!page) throw new Error(`no handout for ${name}`);
    return page;
  };

  it("shows Example 1's weak reference counts 2, 2, 0 and the proxy's ReferenceError", async () => {
    const text = await pageOf(HANDOUTS[0]!).innerText("body");
    expect(text).toContain("Number of weak references: 2\nNumber of weak references: 2\nNumber of weak references: 0");
    expect(text).toContain("ReferenceError: weakly-referenced object no longer exists");
    expect(text).toContain("<weakref at #1; dead>");
  });

  it("renders gc.heap() as an HTML table and an SVG chart, before and after collection", async () => {
    const page = pageOf(HANDOUTS[1]!);
    const tables = await page.locator(".jp-OutputArea-output table").allInnerTexts();
    expect(tables.some((t) => /array_buffers\s+12 MB/.test(t))).toBe(true);
    expect(tables.some((t) => /array_buffers\s+0 MB/.test(t))).toBe(true);
    expect(tables.some((t) => /Picture\s+3/.test(t))).toBe(true);
    expect(await page.locator(".jp-OutputArea-output svg rect").count()).toBeGreaterThan(0);
    const svgBox = await page.locator(".jp-OutputArea-output svg").first().boundingBox();
    expect(svgBox?.width ?? 0).toBeGreaterThan(100);
    expect(await page.innerText("body")).toContain("4 windows, 3 pictures decoded, 3 in the cache");
  });

  it("highlights the TypeScript source", async () => {
    expect(await pageOf(HANDOUTS[0]!).locator(".highlight .k, .highlight .kd").count()).toBeGreaterThan(0);
  });

  it("lets no ANSI colour codes into the page text", async () => {
    for (const name of HANDOUTS) {
      const text = await pageOf(name).innerText("body");
      const match = ANSI.exec(text);
      expect(match, `${name}: ${JSON.stringify(text.slice(Math.max(0, (match?.index ?? 0) - 40), (match?.index ?? 0) + 40))}`).toBeNull();
    }
  });
}, [CHROMIUM]);
