//! The stack on Docker: a pure [`plan`] of network, volumes and containers, and the [`engine`]
//! that carries it out through the Docker Engine API.

pub mod engine;
pub mod exact;
pub mod plan;
pub mod state;
pub mod status;
mod tar;
pub mod up;

pub use plan::{plan, StackPlan};
