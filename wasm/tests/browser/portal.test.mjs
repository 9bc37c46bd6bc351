// The demo portal in headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// served from a local static server, the form is filled and the level and numbers shown must be
// the engine's own (computed here by the Node build of the same package). No console errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { Engine } from "readiness-wasm";
import { root } from "../node/helpers.mjs";

const portal = join(root, "examples", "portal");
const outDir = join(root, "target");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

let server, base, context, userDataDir;

before(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = path.endsWith("/") ? `${path}index.html` : path;
    try {
      const body = readFileSync(join(portal, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  userDataDir = mkdtempSync(join(tmpdir(), "readiness-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run"],
  });
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function openPage(url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return { page, problems };
}

/** What the page shows, read from the DOM. */
async function shown(page) {
  return page.evaluate(() => ({
    level: document.getElementById("level").dataset.level,
    label: document.getElementById("level").textContent,
    index: document.getElementById("index").dataset.value,
    indexText: document.getElementById("index").textContent,
    ciText: document.getElementById("index-ci").textContent,
    dims: Object.fromEntries([...document.querySelectorAll(".bar-row")].map((b) =>
      [b.dataset.dimension, b.querySelector(".bar-value").dataset.value])),
    flags: [...document.querySelectorAll("[data-flag]")].map((f) => f.dataset.flag),
    development: document.querySelectorAll("ul.dev > li").length,
  }));
}

const fmt = (x) => (x === null ? "—" : x.toFixed(1));

function expectShown(s, doc) {
  assert.equal(s.level, doc.readiness.level);
  assert.equal(s.label, doc.readiness.label);
  assert.equal(s.index, String(doc.readiness.index ?? ""));
  assert.equal(s.indexText, fmt(doc.readiness.index));
  if (doc.readiness.ci95) assert.equal(s.ciText, `95% CI ${fmt(doc.readiness.ci95[0])}–${fmt(doc.readiness.ci95[1])}`);
  for (const d of doc.dimensions.filter((d) => d.kind !== "technical")) assert.equal(s.dims[d.id], String(d.score ?? ""), d.id);
  assert.equal(s.dims["technical-overall"], String(doc.technical.score ?? ""));
  assert.deepStrictEqual(s.flags, doc.flags.map((f) => f.code));
  assert.equal(s.development, doc.development.length);
}

test("portal: the form's assessment is the engine's, shown without console errors", async () => {
  const { page, problems } = await openPage(`${base}/index.html`);
  await page.fill("#candidate", "e-2001");
  await page.press("#candidate", "Tab");
  await page.click("#clear-ratings");

  const selects = await page.$$eval("select.score", (all) => all.map((s) => ({ rater: s.dataset.rater, criterion: s.dataset.criterion })));
  const groups = await page.$$eval(".rater", (all) => Object.fromEntries(all.map((r) =>
    [r.querySelector("input").value, r.querySelector("select").value])));
  const engine = new Engine();
  const technical = new Set(engine.rubric.dimensions.filter((d) => d.kind === "technical").flatMap((d) => d.criteria.map((c) => c.id)));
  const criteria = engine.rubric.dimensions.flatMap((d) => d.criteria.map((c) => c.id));
  const raters = Object.keys(groups);
  const records = [];
  // Fill every cell: a fixed pattern, technical strong, a few cells left unrated.
  await page.evaluate(() => { window.__fill = (values) => {
    for (const [i, v] of values) { const s = document.querySelectorAll("select.score")[i]; s.value = v; s.dispatchEvent(new Event("change")); }
  }; });
  const values = [];
  selects.forEach(({ rater, criterion }, i) => {
    const ri = raters.indexOf(rater), ci = criteria.indexOf(criterion);
    if ((ri + ci) % 11 === 10) return;
    const score = technical.has(criterion) ? 5 : 1 + ((ri * 3 + ci * 2) % 5 === 0 ? 2 : (ri + ci) % 3 + 2);
    values.push([i, String(score)]);
    records.push({ candidate: "e-2001", rater, group: groups[rater], criterion, score });
  });
  await page.evaluate((v) => window.__fill(v), values.slice(1));
  // The first value by keyboard, as a keyboard user would.
  const [firstIndex, firstValue] = values[0];
  const first = (await page.$$("select.score"))[firstIndex];
  await first.focus();
  for (let k = 0; k < Number(firstValue); k++) await page.keyboard.press("ArrowDown");
  assert.equal(await first.evaluate((s) => s.value), firstValue, "keyboard selection");

  const [doc] = engine.assess(records);
  const s = await shown(page);
  expectShown(s, doc);

  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, "portal.png"), fullPage: true });

  // The same ratings pasted as CSV give the same assessment.
  await page.check("input[name=ratings-source][value=csv]");
  expectShown(await shown(page), doc);
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test("portal: an invalid rubric shows the engine's error and code", async () => {
  const { page, problems } = await openPage(`${base}/`);
  await page.check("input[name=rubric-source][value=custom]");
  const text = await page.inputValue("#rubric-text");
  await page.fill("#rubric-text", text.replace('"weight": 0.4', '"weight": -1'));
  await page.click("#rubric-apply");
  const error = await page.textContent("#rubric-error");
  assert.match(error, /invalid_weight/);
  assert.match(error, /rater_groups\.manager\.weight/);
  assert.deepStrictEqual(problems, []);
  await page.close();
});

test("portal: every form control has an accessible name", async () => {
  const { page } = await openPage(`${base}/`);
  const unnamed = await page.$$eval("input, select, textarea, button", (all) => all.filter((e) => {
    if (e.closest("[hidden]")) return false;
    const label = e.id && document.querySelector(`label[for="${e.id}"]`);
    return !(e.getAttribute("aria-label") || label || e.closest("label") || e.textContent.trim());
  }).map((e) => e.outerHTML.slice(0, 80)));
  assert.deepStrictEqual(unnamed, []);
  await page.close();
});

test("portal: works offline from file://", async () => {
  const { page, problems } = await openPage(pathToFileURL(join(portal, "index.html")).href);
  assert.ok((await page.textContent("#level")).length > 0);
  assert.deepStrictEqual(problems, []);
  await page.close();
});
