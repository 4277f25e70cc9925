//! Conformance with Go's html/template tests.
