//! xcrash: nothing but the crash tests in tests/crashes.rs (tests/extras).
