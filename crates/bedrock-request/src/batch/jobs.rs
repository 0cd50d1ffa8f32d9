//! The control plane of batch inference (service `bedrock`, `bedrock.REGION.amazonaws.com`):
//! CreateModelInvocationJob with `modelInvocationType: "Converse"`, GetModelInvocationJob and
//! StopModelInvocationJob, unsigned (sign them with [`sign::sign_for_service`] for `bedrock`),
//! and their answers read.
//!
//! [`sign::sign_for_service`]: crate::sign::sign_for_service

use super::s3::S3Uri;
use crate::codec::percent_encode;
use crate::endpoint::{configured_endpoint, validate_region, Endpoint};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::request::{Body, HttpRequest};
use crate::value::Value;

/// What a job is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSpec {
    /// `jobName`: 1 to 63 letters, digits and `-` (not starting with `-`).
    pub job_name: String,
    /// `roleArn`: the IAM role Bedrock assumes to read the input and write the output.
    pub role_arn: String,
    /// `modelId`: the model, inference profile or ARN.
    pub model_id: String,
    /// `inputDataConfig.s3InputDataConfig.s3Uri`: the records object (or a prefix).
    pub input: S3Uri,
    /// `outputDataConfig.s3OutputDataConfig.s3Uri`: where the results go.
    pub output: S3Uri,
    /// `clientRequestToken`: makes a retried create idempotent (the caller's: no randomness
    /// here).
    pub client_request_token: Option<String>,
    /// `timeoutDurationInHours` (24 to 168; Bedrock's default is 168).
    pub timeout_hours: Option<u32>,
}

/// The control-plane endpoint: `AWS_ENDPOINT_URL_BEDROCK` (then `AWS_ENDPOINT_URL`), else
/// `bedrock.REGION.amazonaws.com`.
fn endpoint(region: &str, env: &Env) -> Result<Endpoint> {
    validate_region(region).map_err(|e| Error::new(ErrorKind::Config, e))?;
    Ok(
        configured_endpoint(env, "AWS_ENDPOINT_URL_BEDROCK", ErrorKind::Config)?
            .unwrap_or_else(|| Endpoint::regional("bedrock", region)),
    )
}

fn request(e: &Endpoint, method: &str, path: &str, body: Option<String>) -> HttpRequest {
    let mut headers = Vec::new();
    if body.is_some() {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    headers.push(("host".to_owned(), e.host().to_owned()));
    HttpRequest {
        method: method.into(),
        url: format!("{}://{}{}{path}", e.scheme(), e.host(), e.path_prefix()),
        headers,
        body: Body::new(body.map(String::into_bytes).unwrap_or_default()),
    }
}

/// CreateModelInvocationJob for `spec`, its records to be read as Converse requests.
///
/// ```
/// use bedrock_request::batch::{create_job, JobSpec, S3Uri};
/// use bedrock_request::Env;
/// let spec = JobSpec {
///     job_name: "eval-1".into(),
///     role_arn: "arn:aws:iam::123456789012:role/BatchRole".into(),
///     model_id: "anthropic.claude-3-haiku-20240307-v1:0".into(),
///     input: S3Uri::parse("s3://my-bucket/in/records.jsonl")?,
///     output: S3Uri::parse("s3://my-bucket/out/")?,
///     client_request_token: None,
///     timeout_hours: None,
/// };
/// let request = create_job("us-east-1", &Env::new(), &spec)?;
/// assert_eq!(request.url, "https://bedrock.us-east-1.amazonaws.com/model-invocation-job");
/// assert!(request.body.as_str().unwrap().ends_with(r#""modelInvocationType":"Converse"}"#));
/// # Ok::<(), bedrock_request::Error>(())
/// ```
pub fn create_job(region: &str, env: &Env, spec: &JobSpec) -> Result<HttpRequest> {
    check_job_name(&spec.job_name)?;
    if let Some(hours) = spec.timeout_hours.filter(|h| !(24..=168).contains(h)) {
        return Err(Error::new(
            ErrorKind::Config,
            format!("a batch job's timeout is 24 to 168 hours, not {hours}"),
        ));
    }
    let s = |t: &str| Value::String(t.to_owned());
    let location = |uri: &S3Uri| Value::Object(vec![("s3Uri".into(), s(&uri.to_uri()))]);
    let mut body = vec![
        ("jobName".to_owned(), s(&spec.job_name)),
        ("roleArn".to_owned(), s(&spec.role_arn)),
    ];
    if let Some(token) = &spec.client_request_token {
        body.push(("clientRequestToken".into(), s(token)));
    }
    body.push(("modelId".into(), s(&spec.model_id)));
    body.push((
        "inputDataConfig".into(),
        Value::Object(vec![("s3InputDataConfig".into(), location(&spec.input))]),
    ));
    body.push((
        "outputDataConfig".into(),
        Value::Object(vec![("s3OutputDataConfig".into(), location(&spec.output))]),
    ));
    if let Some(hours) = spec.timeout_hours {
        body.push((
            "timeoutDurationInHours".into(),
            Value::from_json_str(&hours.to_string())?,
        ));
    }
    body.push(("modelInvocationType".into(), s("Converse")));
    let e = endpoint(region, env)?;
    Ok(request(
        &e,
        "POST",
        "/model-invocation-job",
        Some(Value::Object(body).to_json()),
    ))
}

/// GetModelInvocationJob of a job (its ARN or id).
pub fn get_job(region: &str, env: &Env, job: &str) -> Result<HttpRequest> {
    let e = endpoint(region, env)?;
    Ok(request(
        &e,
        "GET",
        &format!("/model-invocation-job/{}", percent_encode(job, false)),
        None,
    ))
}

/// StopModelInvocationJob of a job (its ARN or id).
pub fn stop_job(region: &str, env: &Env, job: &str) -> Result<HttpRequest> {
    let e = endpoint(region, env)?;
    Ok(request(
        &e,
        "POST",
        &format!("/model-invocation-job/{}/stop", percent_encode(job, false)),
        None,
    ))
}

fn check_job_name(name: &str) -> Result<()> {
    let ok = (1..=63).contains(&name.len())
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Config,
        format!(
            "the job name {} must be 1 to 63 letters, digits and '-', not starting with '-'",
            Value::String(name.to_owned()).to_json()
        ),
    ))
}

/// A job as GetModelInvocationJob describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobStatus {
    /// `jobArn`.
    pub job_arn: String,
    /// `status`: Submitted, Validating, Scheduled, InProgress, Completed, PartiallyCompleted,
    /// Failed, Stopping, Stopped, Expired.
    pub status: String,
    /// `message`, when Bedrock gives one (why a job failed).
    pub message: Option<String>,
    /// The record counts, when Bedrock gives them.
    pub total_record_count: Option<u64>,
    /// Records processed so far.
    pub processed_record_count: Option<u64>,
    /// Records answered.
    pub success_record_count: Option<u64>,
    /// Records that failed.
    pub error_record_count: Option<u64>,
    /// `outputDataConfig.s3OutputDataConfig.s3Uri`: the results are under `{it}{job id}/`.
    pub output_uri: Option<String>,
}

impl JobStatus {
    /// The job's id: the last part of its ARN (`.../model-invocation-job/ID`).
    pub fn job_id(&self) -> &str {
        self.job_arn.rsplit('/').next().unwrap_or(&self.job_arn)
    }
}

/// The `jobArn` of a CreateModelInvocationJob answer (its JSON body).
pub fn created_job_arn(body: &[u8]) -> Result<String> {
    let v = json_body(body)?;
    v.get("jobArn")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Response,
                "a CreateModelInvocationJob answer holds jobArn",
            )
        })
}

/// A GetModelInvocationJob answer (its JSON body).
pub fn job_status(body: &[u8]) -> Result<JobStatus> {
    let v = json_body(body)?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let count = |k: &str| v.get(k).and_then(Value::as_u64);
    Ok(JobStatus {
        job_arn: text("jobArn").ok_or_else(|| {
            Error::new(
                ErrorKind::Response,
                "a GetModelInvocationJob answer holds jobArn",
            )
        })?,
        status: text("status").unwrap_or_default(),
        message: text("message"),
        total_record_count: count("totalRecordCount"),
        processed_record_count: count("processedRecordCount"),
        success_record_count: count("successRecordCount"),
        error_record_count: count("errorRecordCount"),
        output_uri: v
            .get("outputDataConfig")
            .and_then(|o| o.get("s3OutputDataConfig"))
            .and_then(|o| o.get("s3Uri"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn json_body(body: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::new(ErrorKind::Response, "the answer is not UTF-8"))?;
    Value::from_json_str(text)
}
