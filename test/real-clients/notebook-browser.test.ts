// The classic Jupyter Notebook (Debian's jupyter-notebook 6) in headless
// Chromium, driven by playwright-core as a person would use it: the Cell menu's
// Run All, Tab completion, the toolbar's interrupt button, Kernel → Restart.
// A screenshot of each step goes to out/screenshots/notebook-browser/.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { installKernel, type InstalledKernel } from "../clients/jupyter.js";
import { NOTEBOOK, startNotebookServer, type NotebookServer } from "./notebook-server.js";
import { CHROMIUM, CHROMIUM_ARGS, describeWithTool } from "../clients/jupyter.js";

const SHOTS = join(PACKAGE_ROOT, "out", "screenshots", "notebook-browser");
const NOTEBOOK_FILE = "ephemeron-browser.ipynb";

function notebookJson(kernelName: string): string {
  const cell = (source: string) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    // No language_info, as in a notebook made from the New menu: the editor's mode comes from the kernel's kernel_info.
    metadata: { kernelspec: { name: kernelName, display_name: "TypeScript (ephemeron test)", language: "typescript" } },
    cells: [
      cell('const greeting: string = "hello";\nconsole.log(`${greeting} from ephemeron`);'),
      cell("let kept = 41;\nkept + 1"),
    ].map((c, i) => ({ ...c, id: `cell-${i}` })),
  });
}

describeWithTool(NOTEBOOK, "the classic Notebook in headless Chromium", () => {
  let installed: InstalledKernel | undefined;
  let server: NotebookServer | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const outputs = () => page.locator("#notebook-container .output_area").allInnerTexts();
  const prompts = async () => (await page.locator(".input_prompt").allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
  const waitForIdle = () => page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: 30_000 });
  /** Clicks into the last cell's editor and waits for the notebook's edit mode. */
  async function editLastCell(): Promise<void> {
    await page.locator("#notebook-container .cell .CodeMirror").last().click();
    await page.waitForFunction(() => (globalThis as unknown as { Jupyter: { notebook: { mode: string } } }).Jupyter.notebook.mode === "edit");
  }
  /** Types into the last cell and runs it with Shift+Enter (which opens a new cell below). */
  async function runNewCell(source: string): Promise<void> {
    await editLastCell();
    await page.keyboard.type(source);
    await page.keyboard.press("Shift+Enter");
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    installed = await installKernel();
    server = await startNotebookServer(installed);
    writeFileSync(join(server.root, NOTEBOOK_FILE), notebookJson(installed.name));
    profile = mkdtempSync(join(tmpdir(), "ephemeron-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM.path,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${server.url}/notebooks/${NOTEBOOK_FILE}`);
    await waitForIdle();
  }, 120_000);

  afterEach(async (test) => {
    if (test.task.result?.state === "fail") await page.screenshot({ path: join(SHOTS, `failed-${test.task.name.slice(0, 40).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.stop();
    installed?.remove();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 60_000);

  it("opens the notebook on the ephemeron kernel", async () => {
    await shot("01-opened");
    const kernelName = await page.evaluate(() => (globalThis as unknown as { Jupyter: { notebook: { kernel: { name: string } } } }).Jupyter.notebook.kernel.name);
    expect(kernelName).toBe(installed!.name);
  });

  it("runs all cells from the Cell menu and shows their output under each cell", async () => {
    await page.click("#celllink");
    await page.click("#run_all_cells > a");
    await page.getByText("Out[2]:").waitFor({ timeout: 30_000 });
    await waitForIdle();
    await shot("02-run-all");
    const texts = await outputs();
    expect(texts[0]).toContain("hello from ephemeron");
    expect(texts[1]).toMatch(/Out\[2\]:\s*42/);
    expect(await prompts()).toEqual(["In [1]:", "In [2]:"]);
  });

  it("shows a completion list containing floor after Tab on `Math.`", async () => {
    // Select the last cell, insert a cell below it (b) and edit it (Enter).
    await page.locator(".cell").last().click();
    await page.keyboard.press("Escape");
    await page.keyboard.press("b");
    await editLastCell();
    await page.keyboard.type("Math.");
    await page.keyboard.press("Tab");
    const list = page.locator("#complete select");
    await list.waitFor({ timeout: 15_000 });
    const options = await list.locator("option").allInnerTexts();
    await shot("03-completion");
    expect(options).toContain("floor");
    expect(options).toContain("PI");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#complete").count()).toBe(0);
  });

  it("highlights TypeScript in a cell added after the notebook opened, as in the cells it opened with", async () => {
    // The new cell from the test before: Notebook 6 gives a new cell the kernel's codemirror_mode as it is.
    await editLastCell();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("const typed: number = 1;");
    const lastCell = page.locator("#notebook-container .cell").last();
    await expect.poll(() => lastCell.locator(".cm-keyword").count()).toBeGreaterThan(0);
    expect(await page.locator("#notebook-container .cell").first().locator(".cm-keyword").count()).toBeGreaterThan(0);
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("Math.");
  });

  it("stops `while (true) {}` with the toolbar's interrupt button, and the next cell still sees earlier variables", async () => {
    // Replace `Math.` in the same cell with the endless loop and run it.
    await editLastCell();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await runNewCell("while (true) {}");
    await page.waitForSelector("#kernel_indicator_icon.kernel_busy_icon", { timeout: 10_000 });
    await page.waitForTimeout(1_000);
    expect((await prompts())[2]).toBe("In [*]:");
    await page.click('button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]');
    const started = Date.now();
    await page.getByText("KeyboardInterrupt").first().waitFor({ timeout: 10_000 });
    const stoppedMs = Date.now() - started;
    await waitForIdle();
    await shot("04-interrupted");
    expect(stoppedMs).toBeLessThan(5_000);
    // Shift+Enter on the last cell opened a new cell below, in edit mode.
    await runNewCell("kept * 2");
    await page.getByText("82", { exact: true }).waitFor({ timeout: 15_000 });
    await waitForIdle();
    await shot("05-after-interrupt");
    const texts = await outputs();
    expect(texts.at(-2)).toContain("KeyboardInterrupt");
    expect(texts.at(-1)).toMatch(/Out\[\d+\]:\s*82/);
  });

  it("restarts the kernel from Kernel → Restart, after which a cell runs on a fresh kernel", async () => {
    await page.click("#kernellink");
    await page.click("#restart_kernel > a");
    const confirm = page.locator(".modal-dialog .modal-footer button", { hasText: /^Restart$/ });
    await confirm.waitFor({ timeout: 10_000 });
    await shot("06-restart-dialog");
    // The Notebook's own event for a kernel that answered kernel_info after the restart.
    await page.evaluate(() => {
      const w = globalThis as unknown as { Jupyter: { notebook: { events: { one(event: string, handler: () => void): void } } }; restartedReady?: boolean };
      w.Jupyter.notebook.events.one("kernel_ready.Kernel", () => (w.restartedReady = true));
    });
    await confirm.click();
    await page.waitForFunction(() => (globalThis as unknown as { restartedReady?: boolean }).restartedReady === true, undefined, { timeout: 30_000 });
    await waitForIdle();
    // The execution count starts again at 1: a fresh kernel answered.
    await runNewCell("`after restart: ${6 * 7}`");
    await page.getByText("Out[1]:").waitFor({ timeout: 30_000 });
    await waitForIdle();
    await shot("07-after-restart");
    const texts = await outputs();
    expect(texts.at(-1)).toMatch(/Out\[1\]:\s*['"]after restart: 42['"]/);
  });

  it("answers await input() in the box the Notebook shows under the cell", async () => {
    await runNewCell('const who = await input("Your name? "); `hello ${who}`');
    const box = page.locator(".output_area input.raw_input");
    await box.waitFor({ timeout: 15_000 });
    await box.fill("Ada");
    await shot("08-input-box");
    await box.press("Enter");
    await page.getByText("'hello Ada'").waitFor({ timeout: 15_000 });
    await waitForIdle();
    await shot("09-input-answered");
    expect((await outputs()).at(-1)).toMatch(/Out\[2\]:\s*'hello Ada'/);
  });
}, [CHROMIUM]);
