//! `iro-plugin-worker`: the plugin worker on its own. `iro plugin-worker`
//! does the same inside `iro`; this binary lets the host's tests (and any
//! other host) run plugins isolated without the whole CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    // Accept `iro-plugin-worker plugin-worker …` too, the shape the host uses.
    if args.peek().is_some_and(|a| a == "plugin-worker") {
        args.next();
    }
    iro_plugin_host::worker::main(args)
}
