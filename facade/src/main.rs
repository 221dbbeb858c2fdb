//! The `botgate` command line.
fn main() {}
