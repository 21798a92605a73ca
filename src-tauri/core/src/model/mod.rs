//! Plain data shared by every module and, through ts-rs, by the UI.
//! Types here carry no behaviour beyond small conversions; the rules live in the modules that own them.

mod about;
mod account;
mod activity;
mod ask;
mod backup;
mod event;
mod health;
mod import;
mod playbook;
mod settings;
mod snapshot;

pub use about::*;
pub use account::*;
pub use activity::*;
pub use ask::*;
pub use backup::*;
pub use event::*;
pub use health::*;
pub use import::*;
pub use playbook::*;
pub use settings::*;
pub use snapshot::*;
