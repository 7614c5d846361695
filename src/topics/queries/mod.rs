//! Storage of topics and everything hanging off them: all diesel of the topics area, one file
//! per family of tables. The pub names are re-exported here, so callers write `queries::topic`.

mod comments;
mod events;
mod plans;
mod reviews;
mod tasks;
mod topics;
mod worklists;

pub use comments::*;
pub use events::*;
pub use plans::*;
pub use reviews::*;
pub use tasks::*;
pub use topics::*;
pub use worklists::*;
