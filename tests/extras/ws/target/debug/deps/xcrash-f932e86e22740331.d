/work/wt/arm64/tests/extras/ws/target/debug/deps/xcrash-f932e86e22740331.d: xcrash/src/lib.rs

/work/wt/arm64/tests/extras/ws/target/debug/deps/libxcrash-f932e86e22740331.rlib: xcrash/src/lib.rs

/work/wt/arm64/tests/extras/ws/target/debug/deps/libxcrash-f932e86e22740331.rmeta: xcrash/src/lib.rs

xcrash/src/lib.rs:
