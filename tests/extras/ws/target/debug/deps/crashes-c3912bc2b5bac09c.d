/work/wt/arm64/tests/extras/ws/target/debug/deps/crashes-c3912bc2b5bac09c.d: xcrash/tests/crashes.rs

/work/wt/arm64/tests/extras/ws/target/debug/deps/crashes-c3912bc2b5bac09c: xcrash/tests/crashes.rs

xcrash/tests/crashes.rs:
