//! Library of the self-check fixture (no tests of its own).
pub fn answer() -> u32 {
    42
}
