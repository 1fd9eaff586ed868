// The page: gathers the files the analyst chose, runs `iro run` on them in a
// worker (worker.js, wasi.js), and shows what it wrote: the data problems from
// diagnostics.csv, Table 1 from cohort_summary.csv, the benchmarking rows of
// metrics.csv, the charts and the report, with every output to download.
// Every figure on the page is one `iro` wrote; the page computes none.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };

  // ---- The engine ---------------------------------------------------------

  let modulePromise = null;
  // engine.js holds the WebAssembly, gzipped and in base64 (a page opened from
  // disk may not fetch files beside it).
  function engine() {
    if (!modulePromise) {
      modulePromise = (async () => {
        const chars = atob(IRO_ENGINE.wasm_gz_base64);
        const raw = new Uint8Array(chars.length);
        for (let i = 0; i < chars.length; i++) raw[i] = chars.charCodeAt(i);
        const unzipped = new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip")));
        return WebAssembly.compile(await unzipped.arrayBuffer());
      })();
    }
    return modulePromise;
  }

  // One worker per data set: it keeps the files, so that each authority's
  // report is written when it is first shown. Requests are answered in turn.
  let worker = null;
  let queue = Promise.resolve();

  function newWorker() {
    const source =
      iroWasiModule.toString() + "\n" + iroWorkerMain.toString() + "\niroWorkerMain();\n";
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    worker = new Worker(url);
    URL.revokeObjectURL(url);
  }

  // Sends one request to the worker; resolves with its answer ("done" or "failed").
  function ask(message, transfer, onLog) {
    const mine = worker;
    const answer = queue.then(() => new Promise((resolve) => {
      mine.onmessage = (event) => {
        const m = event.data;
        if (m.type === "log") {
          if (onLog) onLog(m);
        } else resolve(m);
      };
      mine.onerror = (e) => resolve({ type: "failed", message: e.message || "the worker stopped" });
      mine.postMessage(message, transfer || []);
    }));
    queue = answer;
    return answer;
  }

  // ---- Choosing files -----------------------------------------------------

  // Files from the folder chooser: each keeps its path under the chosen folder.
  function fromInput(fileList) {
    return [...fileList].map((f) => [f.webkitRelativePath || f.name, f]);
  }

  // Files and folders dropped: walked with the entries API.
  async function fromDrop(items) {
    const entries = [...items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    const out = [];
    const walk = async (entry, prefix) => {
      const path = prefix ? prefix + "/" + entry.name : entry.name;
      if (entry.isFile) {
        out.push([path, await new Promise((ok, fail) => entry.file(ok, fail))]);
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
          if (batch.length === 0) break;
          for (const e of batch) await walk(e, path);
        }
      }
    };
    // Several things dropped at once are put in one folder, as if chosen together.
    const prefix = entries.length === 1 && entries[0].isDirectory ? "" : "dropped";
    for (const e of entries) await walk(e, prefix);
    return out;
  }

  // ---- Running ------------------------------------------------------------

  let outputs = new Map();
  let objectUrls = [];

  function setStatus(text) {
    $("status").textContent = text;
  }

  async function run(chosen, label) {
    $("results").hidden = true;
    $("progress").hidden = false;
    const started = performance.now();
    setStatus("Starting the engine…");
    let input = null;
    const files = [];
    if (chosen) {
      const top = chosen[0][0].split("/")[0];
      input = "in/" + top;
      let done = 0;
      for (const [path, file] of chosen) {
        files.push(["in/" + path, await file.arrayBuffer()]);
        done += 1;
        if (done % 50 === 0) setStatus(`Reading your files: ${done} of ${chosen.length}…`);
      }
    }
    const module = await engine();
    setStatus(chosen ? `Running iro on ${label} (${files.length} files)…` : "Running iro on the sample…");
    const printed = [];
    const tick = setInterval(() => {
      $("elapsed").textContent = `${Math.round((performance.now() - started) / 1000)} s so far`;
    }, 1000);
    const result = await ask({ type: "run", module, files, input }, files.map(([, b]) => b), (m) => {
      printed.push(m.text);
    });
    clearInterval(tick);
    $("elapsed").textContent = "";
    $("progress").hidden = true;
    show(result, printed.join(""), performance.now() - started);
  }

  // Each authority's report, written by `iro report` when the authority is first shown.
  const reports = new Map();
  function report(la) {
    if (!reports.has(la)) {
      reports.set(la, ask({ type: "report", la }).then((m) => {
        for (const [p, b] of m.outputs || []) outputs.set(p, new Uint8Array(b));
        if (m.type === "failed") throw new Error(m.message);
        return m;
      }));
    }
    return reports.get(la);
  }

  // ---- Showing ------------------------------------------------------------

  // RFC 4180 CSV, as `iro` writes it.
  function parseCsv(text) {
    const rows = [];
    let row = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i++;
          } else quoted = false;
        } else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        row.push(cell);
        cell = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell);
        rows.push(row);
        row = [];
        cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length) {
      row.push(cell);
      rows.push(row);
    }
    const [head, ...body] = rows;
    return (body || []).map((r) => Object.fromEntries((head || []).map((h, i) => [h, r[i] ?? ""])));
  }

  const text = (path) => {
    const b = outputs.get(path);
    return b ? new TextDecoder().decode(b) : null;
  };
  const csv = (path) => {
    const t = text(path);
    return t === null ? null : parseCsv(t);
  };

  function blobUrl(path, type) {
    const url = URL.createObjectURL(new Blob([outputs.get(path)], { type }));
    objectUrls.push(url);
    return url;
  }

  const TYPES = {
    html: "text/html", csv: "text/csv", json: "application/json", md: "text/markdown",
    svg: "image/svg+xml", png: "image/png", parquet: "application/octet-stream",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  };
  const typeOf = (path) => TYPES[path.split(".").pop()] || "application/octet-stream";

  function download(path, label) {
    const name = path.split("/").pop();
    return el("a", { href: blobUrl(path, typeOf(path)), download: name, text: label || name });
  }

  function table(target, columns, rows) {
    target.replaceChildren();
    const head = el("tr");
    for (const [, title, cls] of columns) head.append(el("th", { scope: "col", class: cls || "", text: title }));
    target.append(el("thead", {}, head));
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr");
      for (const [key, , cls] of columns) {
        const v = typeof key === "function" ? key(r) : r[key];
        tr.append(el("td", { class: cls || "" }, v instanceof Node ? v : String(v ?? "")));
      }
      body.append(tr);
    }
    target.append(body);
  }

  const SEVERITY_ORDER = { error: 0, warning: 1, note: 2 };
  const shortPath = (p) => p.replace(/^\/?(in\/|data\/)/, "");

  function showProblems() {
    const found = csv("diagnostics.csv");
    const diags = found || [];
    const counts = { error: 0, warning: 0, note: 0 };
    for (const d of diags) counts[d.severity] = (counts[d.severity] || 0) + 1;
    $("problems-summary").textContent = found === null
      ? "iro stopped before it could check the files: what it printed (above) says why."
      : diags.length === 0
      ? "No problems were found in the files."
      : `${counts.error} errors, ${counts.warning} warnings and ${counts.note} notes, errors first. ` +
        "Each is one rule broken in one place (file, line and column). Open a rule to see where.";
    const byRule = new Map();
    for (const d of diags) {
      if (!byRule.has(d.rule)) byRule.set(d.rule, []);
      byRule.get(d.rule).push(d);
    }
    const rules = [...byRule].sort(
      ([a, x], [b, y]) => SEVERITY_ORDER[x[0].severity] - SEVERITY_ORDER[y[0].severity] ||
        y.length - x.length || a.localeCompare(b),
    );
    const box = $("problems");
    box.replaceChildren();
    const SHOWN = 200;
    for (const [rule, list] of rules) {
      const sev = list[0].severity;
      const details = el("details", { class: "rule " + sev });
      details.append(el("summary", {},
        el("span", { class: "sev", text: sev }), " ",
        el("code", { text: rule }), ` — ${list.length} × `,
        el("span", { class: "msg", text: (list.length > 1 ? "for example: " : "") + list[0].message })));
      const t = el("table");
      table(t, [
        ["la_code", "LA"], ["year", "Year"], [(d) => shortPath(d.file), "File"],
        [(d) => d.within, "Sheet or element"], ["line", "Line", "num"], ["column_letter", "Col."],
        ["field", "Field"], ["message", "What is wrong"],
      ], list.slice(0, SHOWN));
      details.append(el("div", { class: "scroll" }, t));
      if (list.length > SHOWN) {
        details.append(el("p", { text: `The first ${SHOWN} of ${list.length}: diagnostics.csv (below) has them all.` }));
      }
      box.append(details);
    }
  }

  // The benchmarking rows of metrics.csv (a national run's file is large: the
  // other rows are not parsed).
  function benchmarkRows() {
    const t = text("metrics.csv");
    if (t === null) return [];
    const lines = t.split("\n");
    const keep = lines.filter((l, i) => i === 0 || l.includes(",regional-benchmarking."));
    return parseCsv(keep.join("\n") + "\n");
  }

  function authorities() {
    const cohort = csv("cohort_summary.csv") || [];
    const las = new Map();
    for (const r of cohort) las.set(r.la_code, r.la_name);
    return { cohort, las };
  }

  const TABLE1 = [
    ["year_label", "Year"],
    ["cla_31_march", "Looked after at 31 March", "num"],
    [(r) => (r.cla_change_percent ? r.cla_change_percent + "%" : "–"), "Change on the year", "num"],
    ["starts", "Started", "num"],
    ["ceases", "Ceased", "num"],
    ["cla_rate_per_10000", "Rate per 10,000", "num"],
    [(r) => r.published_cla_31_march || "–", "Published (DfE)", "num"],
    [(r) => r.published_rate_per_10000 || "–", "Published rate", "num"],
    ["note", "Note"],
  ];

  const INDICATORS = {
    "cla-rate": "Children looked after per 10,000 (31 March)",
    "starts-rate": "Started to be looked after per 10,000 (year)",
    "long-term-stability": "In the same placement 2 years or more (%)",
    "three-plus-placements": "Three or more placements in the year (%)",
    "over-20-miles": "Placed more than 20 miles from home (%)",
    "new-placements-over-20-miles": "New placements more than 20 miles away (%)",
  };
  const breakdown = (b) => Object.fromEntries(b.split(";").filter(Boolean).map((kv) => kv.split("=")));
  const fmt = (v) => (v === "" || v === undefined ? "–" : (Math.round(Number(v) * 10) / 10).toFixed(1));

  function showBenchmarks(metrics, la) {
    const rows = metrics.filter((r) => r.la_code === la && r.metric.startsWith("regional-benchmarking."));
    const year = rows.reduce((y, r) => (r.year > y ? r.year : y), "");
    const by = new Map();
    const get = (ind) => {
      if (!by.has(ind)) by.set(ind, { ind });
      return by.get(ind);
    };
    for (const r of rows.filter((r) => r.year === year)) {
      const b = breakdown(r.breakdown);
      const name = r.metric.slice("regional-benchmarking.".length);
      if (name === "comparator-value") {
        get(b.indicator)[b.comparator] = r.value;
      } else if (name === "funnel-position") {
        if (b.comparator === "england" && b.source === "903" && b.level === "95" && b.limits === "adjusted") {
          get(b.indicator).funnel = r.note;
        }
      } else if (name === "quartile") {
        if (b.comparator === "england" && b.source === "903") get(b.indicator).quartile = r.note;
      } else if (INDICATORS[name] !== undefined) {
        if (b.source === "903") get(name).own = r.value;
        if (b.source === "published") get(name).published = r.value;
      }
    }
    const list = [...by.values()].filter((r) => r.own !== undefined || r.published !== undefined);
    table($("bench"), [
      [(r) => INDICATORS[r.ind] || r.ind, "Indicator"],
      [(r) => fmt(r.own), "This authority (903)", "num"],
      [(r) => fmt(r.published), "Published", "num"],
      [(r) => fmt(r.england), "England", "num"],
      [(r) => fmt(r.region), "Region", "num"],
      [(r) => fmt(r.sn2025), "Neighbours (2025 model)", "num"],
      [(r) => r.funnel || "–", "Against England's funnel (95%)"],
      [(r) => (r.quartile || "–").replace(/ \(1 = lowest values\)/, ""), "Quartile in England (1 = lowest)"],
    ], list);
    $("bench-h").textContent = `Against England, the region and statistical neighbours, ${year ? Number(year) - 1 + "-" + year.slice(2) : ""}`;
  }

  function showCharts(la) {
    const box = $("charts");
    box.replaceChildren();
    const charts = [...outputs.keys()].filter((p) => p.startsWith(`charts/${la}/`) && p.endsWith(".svg")).sort();
    for (const path of charts) {
      const svg = text(path);
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      const title = doc.querySelector("title")?.textContent || path;
      const desc = doc.querySelector("desc")?.textContent || title;
      const caption = el("figcaption", {}, el("span", { class: "visually-hidden", text: title + ": " }));
      for (const [ext, what] of [["csv", "Data (CSV)"], ["svg", "SVG"], ["png", "PNG"]]) {
        const file = path.replace(/\.svg$/, "." + ext);
        if (outputs.has(file)) caption.append(download(file, what), " ");
      }
      box.append(el("figure", {},
        el("img", { src: blobUrl(path, "image/svg+xml"), alt: desc, width: "900", height: "500" }),
        caption));
    }
    if (!charts.length) box.append(el("p", { text: "No charts were drawn for this authority." }));
  }

  function showReport(la) {
    const links = $("downloads");
    const frame = $("report");
    const ready = [...outputs.keys()].some((p) => p.startsWith(`report/${la}-`));
    if (!ready) {
      links.replaceChildren(el("span", { role: "status", text: `Writing the annual report for ${la}…` }));
      frame.hidden = true;
      report(la).then(() => {
        if ($("la").value === la) {
          showReport(la);
          showOutputs();
        }
      }, (e) => links.replaceChildren(el("span", { text: `The report could not be written: ${e.message}` })));
      return;
    }
    const files = [...outputs.keys()].filter((p) => new RegExp(`^report/${la}-\\d{4}\\.`).test(p)).sort();
    const html = files.find((p) => p.endsWith(".html"));
    links.replaceChildren();
    const label = { html: "Report (HTML)", docx: "Report (Word)", xlsx: "Workbook (Excel)", md: "Report (Markdown)" };
    for (const p of files) {
      const ext = p.split(".").pop();
      if (label[ext]) links.append(download(p, `${label[ext]}: ${p.split("/").pop()}`), " ");
    }
    for (const p of ["metrics.csv", "cohort_summary.csv", "diagnostics.csv"]) {
      if (outputs.has(p)) links.append(download(p), " ");
    }
    frame.hidden = !html;
    if (html) frame.src = blobUrl(html, "text/html");
  }

  function showAuthority(la, cohort, metrics) {
    const rows = cohort.filter((r) => r.la_code === la);
    table($("table1"), TABLE1, rows);
    $("table1-h").textContent = `Table 1: children looked after, ${rows[0] ? rows[0].la_name : la}`;
    $("table1-source").textContent = "From cohort_summary.csv; published figures from the DfE's releases.";
    showBenchmarks(metrics, la);
    showCharts(la);
    showReport(la);
  }

  function showOutputs() {
    const list = $("outputs");
    list.replaceChildren();
    list.parentElement.hidden = outputs.size === 0;
    for (const p of [...outputs.keys()].sort()) {
      if (p.startsWith("charts/") && !p.endsWith(".svg")) continue;
      if (/^report\/[^/]+-charts\//.test(p)) continue;
      list.append(el("li", {}, download(p, p)));
    }
  }

  function show(result, printed, ms) {
    for (const u of objectUrls) URL.revokeObjectURL(u);
    objectUrls = [];
    outputs = new Map((result.outputs || []).map(([p, b]) => [p, new Uint8Array(b)]));
    reports.clear();
    $("printed").textContent = printed || (result.message ?? "");
    const seconds = (ms / 1000).toFixed(1);
    if (result.type === "failed") {
      $("summary").textContent = `iro stopped unexpectedly after ${seconds} s. What it printed is below; ` +
        "please report it with the message.";
    } else {
      const first = printed.split("\n").find((l) => l.startsWith("Read ")) || "";
      const verdict = result.code === 0 ? "Done"
        : result.code === 1 ? "Done: every output written, with warnings about the data (see Data problems)"
        : result.code === 2 && !outputs.has("cohort_summary.csv")
          ? "No figures: iro could not use the files (what it printed, below, says why)"
        : result.code === 2 ? "Some figures could not be computed: errors in the data, a metric that failed, " +
          "or no data found (see Data problems and what iro printed)"
        : `iro stopped (exit ${result.code}): what it printed says why`;
      $("summary").textContent = `${verdict}, in ${seconds} s. ${first}`;
    }
    // When iro stopped, what it printed is the answer: shown, not folded away.
    $("printed").parentElement.open = result.type === "failed" || !outputs.has("diagnostics.csv");
    showProblems();
    const { cohort, las } = authorities();
    const metrics = benchmarkRows();
    const select = $("la");
    select.replaceChildren(...[...las].map(([code, name]) => el("option", { value: code, text: `${code} ${name}` })));
    $("by-la").hidden = las.size === 0;
    if (las.size) {
      select.onchange = () => showAuthority(select.value, cohort, metrics);
      showAuthority(select.value, cohort, metrics);
    }
    showOutputs();
    $("results").hidden = false;
    $("results-h").focus();
  }

  // ---- Wiring -------------------------------------------------------------

  function guard(promise) {
    promise.catch((e) => {
      $("progress").hidden = true;
      show({ type: "failed", message: String(e && e.stack ? e.stack : e) }, String(e), 0);
    });
  }

  $("folder").addEventListener("change", (e) => {
    const files = fromInput(e.target.files);
    if (files.length) guard(run(files, files[0][0].split("/")[0]));
  });
  $("sample").addEventListener("click", () => guard(run(null, "the sample")));
  const drop = $("drop");
  for (const ev of ["dragenter", "dragover"]) {
    document.addEventListener(ev, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
  }
  document.addEventListener("dragleave", () => drop.classList.remove("over"));
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    guard(fromDrop(e.dataTransfer.items).then((files) => files.length && run(files, "the folder dropped")));
  });
  // Compile the engine, and run it once on the sample, while the analyst chooses.
  newWorker();
  engine().then((module) => ask({ type: "warm", module }), () => {});
})();
