//! The value syntaxes of the Prometheus ecosystem that spec, render and check all read:
//! durations, label and metric names, Alertmanager matchers, anchored RE2 regexes, and the YAML
//! parser settings and error positions. One home, so the spec refuses exactly what the upstream
//! tools refuse.

pub mod date;
pub mod duration;
pub mod matcher;
pub mod names;
pub mod quote;
pub mod regex;
pub mod yaml;

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

pub use duration::Duration;

/// Deserializes a string and turns it into `T` with `parse`, whose error becomes the message.
pub(crate) fn from_str_with<'de, D, T>(
    d: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<T>(&'static str, fn(&str) -> Result<T, String>);
    impl<T> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.1)(v).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            (self.1)(&v.to_string()).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            (self.1)(&v.to_string()).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            (self.1)(&v.to_string()).map_err(E::custom)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
            (self.1)(&v.to_string()).map_err(E::custom)
        }
    }
    d.deserialize_any(V(expecting, parse))
}

macro_rules! string_value {
    ($ty:ident, $parse:path, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::syntax::from_str_with(d, $expecting, $parse)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $parse(s)
            }
        }
    };
}

pub(crate) use string_value;
