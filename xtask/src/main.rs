//! `cargo xtask codegen [--check]`.
fn main() {}
