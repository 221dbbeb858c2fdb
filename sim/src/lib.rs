//! The platform side of every protocol botgate speaks, on loopback, with faults on demand:
//! used by the tests, `botgate demo` and the benchmarks.
