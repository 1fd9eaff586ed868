// The page's worker: runs `iro` (WebAssembly, through the WASI host in wasi.js)
// on the files the analyst chose, off the page's own thread so that the page
// stays responsive and can show progress. It keeps the files between commands,
// so that an authority's report can be written when the analyst asks for it.
// Like wasi.js it is one function, whose source the page turns into a Blob
// worker.
//
// Messages in:
//   { type: "run", module, files: [[path, ArrayBuffer]], input: path | null }
//     `iro run --no-report` on the files. `input` null runs the bundled sample
//     exactly as the README's first command does: `iro sample data/sample`,
//     then `iro run` in the same folder.
//   { type: "report", la }   `iro report --las <la>` on the same files.
//   { type: "warm", module }  runs one authority of the bundled sample and
//     forgets it: the browser compiles the engine's code as it first runs, so
//     this, done while the analyst chooses their folder, makes their run fast.
// Messages out: { type: "log", stream, text } while a command runs, then
//   { type: "done", code, ms, outputs: [[path, ArrayBuffer]] } (the files under
//   out/ that the command wrote) or { type: "failed", message }.
function iroWorkerMain() {
  "use strict";
  const Wasi = iroWasiModule();
  let module = null;
  let fs = null;
  let input = null;

  const stream = (name) => (text) => self.postMessage({ type: "log", stream: name, text });

  // What the analyst's folder brings besides the data: its iro.toml (targets,
  // audience, the report's cover…) and its narrative/ (the report's text), used
  // as the command uses them beside the data.
  function extras(forReport) {
    if (input === null) return ["--out", "out"];
    const has = (p) => fs.lookup(fs.root, input + "/" + p) !== null;
    const out = ["--out", "out"];
    if (has("iro.toml")) out.push("--config", input + "/iro.toml");
    if (forReport && has("narrative")) out.push("--narrative", input + "/narrative");
    return out;
  }

  function iro(args) {
    return Wasi.run(module, { fs, stdout: stream("stdout"), stderr: stream("stderr"), args: ["iro", ...args] });
  }

  function command(message) {
    if (message.type === "warm") {
      module = message.module;
      fs = new Wasi.MemFS();
      input = null;
      iro(["sample", "data/sample"]);
      iro(["run", "--la", "887", "--no-report", "--format", "csv", "--quiet"]);
      fs = new Wasi.MemFS();
      return { code: 0, under: "nothing" };
    }
    if (message.type === "run") {
      module = message.module;
      input = message.input;
      fs = new Wasi.MemFS();
      for (const [path, buffer] of message.files) fs.writeFile(path, new Uint8Array(buffer));
      if (input === null) {
        const code = iro(["sample", "data/sample"]);
        if (code !== 0) throw new Error("writing the bundled sample failed (exit " + code + ")");
      }
      const args = ["run", "--no-report", "--format", "csv", ...extras(false), ...(input === null ? [] : [input])];
      return { code: iro(args), under: "out" };
    }
    if (message.type === "report") {
      const code = iro(["report", "--las", message.la, ...extras(true), ...(input === null ? [] : [input])]);
      return { code, under: "out/report", prefix: "report/" + message.la + "-" };
    }
    throw new Error("unknown message " + message.type);
  }

  self.onmessage = (event) => {
    const started = performance.now();
    try {
      const { code, under, prefix } = command(event.data);
      const outputs = fs.files(under)
        .map(([path, bytes]) => [under === "out" ? path : under.slice(4) + "/" + path, bytes])
        .filter(([path]) => !prefix || path.startsWith(prefix))
        .map(([path, bytes]) => [path, bytes.slice().buffer]);
      self.postMessage(
        { type: "done", code, ms: performance.now() - started, outputs },
        outputs.map(([, buffer]) => buffer),
      );
    } catch (e) {
      self.postMessage({ type: "failed", message: String(e && e.stack ? e.stack : e) });
    }
  };
}
