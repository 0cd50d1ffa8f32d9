//! The CLI's tests: the `bedrock-request` binary run as users run it, against loopback
//! servers and botocore where a reference exists.

#[path = "../../bedrock-request/tests/common.rs"]
mod common;

mod cli;
mod cli_batch;
mod cli_converse;
mod cli_day_two;
mod cli_limits;
mod cli_retry;
mod cli_structured;
