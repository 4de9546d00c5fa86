/work/wt/arm64/tests/extras/ws/target/debug/deps/xcrash-8e9baf6b68cf4185.d: xcrash/src/lib.rs

/work/wt/arm64/tests/extras/ws/target/debug/deps/xcrash-8e9baf6b68cf4185: xcrash/src/lib.rs

xcrash/src/lib.rs:
