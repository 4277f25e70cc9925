//! The `monstack` binary: all behaviour lives in the library; this only maps it to an exit code.

fn main() {
    std::process::exit(monstack::run());
}
