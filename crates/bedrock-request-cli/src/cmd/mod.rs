//! One file per subcommand: its arguments and `run`, which wires library calls to the CLI's I/O.

pub mod api_key;
pub mod batch;
pub mod credentials;
pub mod explain;
pub mod parse;
pub mod request;
pub mod send;
pub mod structured;
pub mod vectors;
