// Drives the page in target/web as a user would, in headless Chromium: opens
// index.html from disk, chooses the sample folder through the page's own folder
// input, waits for the results, and checks them against what the `iro` command
// wrote for the same folder (NATIVE_OUT, from `iro run data/sample --out ...`):
// Table 1 for every authority, the count of data problems, a download of the
// report, and that the page asked for nothing beyond its own files.
// Screenshots of each step go to SHOTS.
//
// Usage: node web/tests/browser.js WEB_DIR INPUT_FOLDER NATIVE_OUT SHOTS
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const [webDir, inputDir, nativeOut, shots] = process.argv.slice(2).map((p) => path.resolve(p));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function parseCsv(text) {
  const lines = [];
  let row = [], cell = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); lines.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  const [head, ...body] = lines;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ""])));
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const downloads = fs.mkdtempSync(path.join(shots, "downloads-"));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 768 });
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  const url = "file://" + path.join(webDir, "index.html");
  await page.goto(url, { waitUntil: "load" });
  await page.screenshot({ path: path.join(shots, "1-start.png") });

  // Choose the folder, as the "Choose a folder…" button does.
  const started = Date.now();
  const [chooser] = await Promise.all([page.waitForFileChooser(), page.click("label[for=folder]")]);
  await chooser.accept([inputDir]);
  await page.waitForSelector("#results:not([hidden])", { timeout: 180000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`results shown ${seconds.toFixed(2)} s after the folder was chosen`);
  await page.screenshot({ path: path.join(shots, "2-results.png") });

  const summary = await page.$eval("#summary", (e) => e.textContent);
  console.log("summary: " + summary);
  check(/^Done/.test(summary), "the run finished");

  // Data problems: the same count as the command's diagnostics.csv.
  const diags = parseCsv(fs.readFileSync(path.join(nativeOut, "diagnostics.csv"), "utf8"));
  const counts = { error: 0, warning: 0, note: 0 };
  for (const d of diags) counts[d.severity]++;
  const problems = await page.$eval("#problems-summary", (e) => e.textContent);
  check(
    problems.startsWith(`${counts.error} errors, ${counts.warning} warnings and ${counts.note} notes`),
    `data problems as iro validate counts them (${JSON.stringify(counts)}): "${problems}"`,
  );
  const listed = await page.$$eval("#problems details", (d) => d.length);
  check(listed === new Set(diags.map((d) => d.rule)).size, `one entry per rule broken (${listed})`);
  await page.$eval("#problems details", (d) => { d.open = true; d.scrollIntoView(); });
  await page.screenshot({ path: path.join(shots, "3-problems.png") });

  // Table 1 for every authority equals cohort_summary.csv.
  const cohort = parseCsv(fs.readFileSync(path.join(nativeOut, "cohort_summary.csv"), "utf8"));
  const las = [...new Set(cohort.map((r) => r.la_code))];
  const options = await page.$$eval("#la option", (o) => o.map((x) => x.value));
  check(JSON.stringify(options) === JSON.stringify(las), `authorities offered: ${options}`);
  for (const la of las) {
    await page.select("#la", la);
    const rows = await page.$$eval("#table1 tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const want = cohort.filter((r) => r.la_code === la)
      .map((r) => [r.year_label, r.cla_31_march, r.starts, r.ceases, r.cla_rate_per_10000]);
    const got = rows.map((r) => [r[0], r[1], r[3], r[4], r[5]]);
    check(JSON.stringify(got) === JSON.stringify(want), `Table 1 for ${la} equals cohort_summary.csv`);
    const bench = await page.$$eval("#bench tbody tr", (trs) => trs.length);
    check(bench > 0, `benchmarking rows for ${la} (${bench})`);
    const charts = await page.$$eval("#charts img", (imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
    check(charts.length > 0 && charts.every(Boolean), `charts drawn for ${la} (${charts.length})`);
  }
  await page.select("#la", las[0]);
  await page.$eval("#bench", (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(shots, "4-benchmarking.png") });
  await page.$eval("#charts", (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(shots, "5-charts.png") });

  const pageErrors = errors.length;
  // WCAG 2.2 A and AA, as axe-core checks them, on the page with its results.
  await page.evaluate(fs.readFileSync(require.resolve("axe-core"), "utf8"));
  const axe = await page.evaluate(() => axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  }).then((r) => r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help} [${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}]`)));
  check(axe.length === 0, `no WCAG 2.2 AA violations found by axe-core${axe.length ? ": " + axe.join("; ") : ""}`);

  // Download the report.
  await page.$eval("#downloads", (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(shots, "6-report.png") });
  const link = await page.waitForSelector("#downloads a[href][download$='.html']", { timeout: 60000 });
  const name = await link.evaluate((a) => a.getAttribute("download"));
  await link.click();
  const file = path.join(downloads, name);
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  const html = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  check(html.includes("<html") && html.includes("<svg"), `the report downloads (${name}, ${html.length} bytes)`);

  const own = "file://" + webDir + "/";
  const foreign = requests.filter((u) => !u.startsWith(own) && !u.startsWith("blob:") && !u.startsWith("data:"));
  check(foreign.length === 0, `no request beyond the page's own files (${requests.length} requests${foreign.length ? ": " + foreign.join(", ") : ""})`);
  // (Errors after `pageErrors` are axe-core's own: it reads the style sheets, which the page's
  // policy forbids it to fetch.)
  check(pageErrors === 0, `no errors in the page${pageErrors ? ": " + errors.slice(0, pageErrors).join(" | ") : ""}`);

  // A folder with no SSDA903 data in it: no figures, and iro's reason shown, never a
  // confident "0 children".
  const empty = fs.mkdtempSync(path.join(shots, "no-903-"));
  fs.writeFileSync(path.join(empty, "notes.txt"), "not a return\n");
  const page2 = await browser.newPage();
  await page2.goto(url, { waitUntil: "load" });
  const [chooser2] = await Promise.all([page2.waitForFileChooser(), page2.click("label[for=folder]")]);
  await chooser2.accept([empty]);
  await page2.waitForSelector("#results:not([hidden])", { timeout: 180000 });
  const said = await page2.$eval("#summary", (e) => e.textContent);
  const printed = await page2.$eval("#printed", (e) => e.textContent);
  const open = await page2.$eval("details.printed", (d) => d.open);
  const shown = await page2.$eval("#by-la", (e) => !e.hidden);
  check(said.startsWith("No figures") && /no SSDA903 data found/.test(printed) && open && !shown,
    `a folder without SSDA903 data: "${said.slice(0, 60)}…", iro's reason shown, no figures`);
  await page2.screenshot({ path: path.join(shots, "7-no-data.png") });

  await browser.close();
  if (failures.length) {
    console.error(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log("the page works");
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
