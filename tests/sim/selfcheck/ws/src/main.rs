//! A non-test binary so that NEXTEST_BIN_EXE_* / CARGO_BIN_EXE_* are set for integration tests.
fn main() {
    println!("{}", simcheck::answer());
}
