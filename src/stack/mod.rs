//! The stack on Docker: a pure [`plan`] of network, volumes and containers, and the [`engine`]
//! that carries it out through the Docker Engine API: [`up`], [`down`], [`status`], readiness and
//! `restart` ([`ready`]), one command at a time per project ([`lock`]).

pub mod down;
pub mod engine;
pub mod exact;
pub mod lock;
pub mod plan;
pub mod ready;
pub mod state;
pub mod status;
mod tar;
pub mod targets;
pub mod up;

pub use plan::{plan, StackPlan};
