//! Nothing: the test binary is the fixture.
