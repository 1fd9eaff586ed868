// Runs the browser's engine (target/web/engine.js) through the page's own WASI
// host (web/wasi.js) under Node, on a folder of files, and writes what `iro`
// wrote: a quick check of the engine and the host without a browser.
// Usage: node web/tests/node-run.js WEB_DIR INPUT_DIR|--sample OUT_DIR [iro args...]
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const zlib = require("zlib");

const [webDir, input, outDir, ...extra] = process.argv.slice(2);
vm.runInThisContext(fs.readFileSync(path.join(webDir, "engine.js"), "utf8"));
vm.runInThisContext(fs.readFileSync(path.join(webDir, "wasi.js"), "utf8"));
const Wasi = iroWasiModule();
const engine = new WebAssembly.Module(zlib.gunzipSync(Buffer.from(IRO_ENGINE.wasm_gz_base64, "base64")));

const memfs = new Wasi.MemFS();
const walk = (dir, prefix) => {
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walk(p, prefix + "/" + name);
    else memfs.writeFile(prefix + "/" + name, new Uint8Array(fs.readFileSync(p)));
  }
};
const io = { fs: memfs, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
const started = Date.now();
let args;
if (input === "--sample") {
  Wasi.run(engine, { ...io, args: ["iro", "sample", "data/sample"] });
  args = ["iro", "run", ...extra];
} else {
  // A relative folder keeps its path, so that the files named in diagnostics.csv are the
  // same as the command's.
  const inside = path.isAbsolute(input) ? "in/" + path.basename(input) : path.normalize(input);
  walk(input, inside);
  args = ["iro", "run", inside, ...extra];
}
const code = Wasi.run(engine, { ...io, args });
process.stderr.write(`exit ${code} in ${Date.now() - started} ms\n`);
for (const [p, bytes] of memfs.files("out")) {
  const to = path.join(outDir, p);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, bytes);
}
process.exitCode = code;
