//! The `otpcatch` command line.

fn main() {}
