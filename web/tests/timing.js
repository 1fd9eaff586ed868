// Times the page as a user meets it: for each folder, a fresh page opened from
// disk, the folder chosen through its folder input, and the seconds until the
// results are shown (the engine compiled while the page waits, as it is for a
// user). Figures for docs/BENCHMARKS.md.
// Usage: node web/tests/timing.js WEB_DIR FOLDER...
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

const [webDir, ...folders] = process.argv.slice(2).map((p) => path.resolve(p));
(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  for (const folder of folders) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 768 });
    await page.goto("file://" + path.join(webDir, "index.html"), { waitUntil: "load" });
    await new Promise((r) => setTimeout(r, 3000)); // the analyst finds their folder
    const started = Date.now();
    const [chooser] = await Promise.all([page.waitForFileChooser(), page.click("label[for=folder]")]);
    await chooser.accept([folder]);
    await page.waitForSelector("#results:not([hidden])", { timeout: 600000 });
    const shown = (Date.now() - started) / 1000;
    await page.waitForSelector("#downloads a[download$='.html']", { timeout: 600000 });
    const report = (Date.now() - started) / 1000;
    const summary = await page.$eval("#summary", (e) => e.textContent);
    console.log(`${path.basename(folder)}: results ${shown.toFixed(2)} s, first report ${report.toFixed(2)} s — ${summary}`);
    await page.close();
  }
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
