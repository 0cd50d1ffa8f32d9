//! Issue 27: the batch control plane against botocore (vectors/batch/botocore.json, made by
//! tools/make_batch_job_vectors.py): CreateModelInvocationJob, GetModelInvocationJob and
//! StopModelInvocationJob as botocore's `bedrock` client serialises them (method, URL, the body's
//! members in order) and as SigV4Auth signs them; and the answers read.

use bedrock_request::batch::{create_job, get_job, job_status, stop_job, JobSpec, S3Uri};
use bedrock_request::{sign, Env, Value};
use time::macros::datetime;

use crate::common::read;

#[test]
fn control_plane_requests_are_botocores() {
    let doc: serde_json::Value =
        serde_json::from_str(&read("vectors/batch/botocore.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let name = format!("{} {}", case["operation"], case["url"]);
        let region = case["region"].as_str().unwrap();
        let mut env = Env::new();
        if let Some(endpoint) = case["endpoint"].as_str() {
            env.set("AWS_ENDPOINT_URL_BEDROCK", endpoint);
        }
        let p = &case["params"];
        let mut request = match case["operation"].as_str().unwrap() {
            "CreateModelInvocationJob" => {
                let uri = |v: &serde_json::Value| S3Uri::parse(v.as_str().unwrap()).unwrap();
                let spec = JobSpec {
                    job_name: p["jobName"].as_str().unwrap().into(),
                    role_arn: p["roleArn"].as_str().unwrap().into(),
                    model_id: p["modelId"].as_str().unwrap().into(),
                    input: uri(&p["inputDataConfig"]["s3InputDataConfig"]["s3Uri"]),
                    output: uri(&p["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]),
                    client_request_token: p["clientRequestToken"].as_str().map(str::to_owned),
                    timeout_hours: p["timeoutDurationInHours"].as_u64().map(|h| h as u32),
                };
                create_job(region, &env, &spec).unwrap()
            }
            "GetModelInvocationJob" => {
                get_job(region, &env, p["jobIdentifier"].as_str().unwrap()).unwrap()
            }
            "StopModelInvocationJob" => {
                stop_job(region, &env, p["jobIdentifier"].as_str().unwrap()).unwrap()
            }
            other => panic!("{other}"),
        };
        assert_eq!(request.method, case["method"].as_str().unwrap(), "{name}");
        assert_eq!(request.url, case["url"].as_str().unwrap(), "{name}");
        // The same members in the same order (Value keeps the order), written compactly.
        let body = request.body.as_str().unwrap().to_owned();
        match case["body_text"].as_str().unwrap() {
            "" => assert!(body.is_empty(), "{name}"),
            theirs => assert_eq!(
                Value::from_json_str(&body).unwrap(),
                Value::from_json_str(theirs).unwrap(),
                "{name}"
            ),
        }
        assert_eq!(body, case["body_compact"].as_str().unwrap(), "{name}");
        let creds = crate::util::vector_credentials(case);
        sign::sign_for_service(
            &mut request,
            &creds,
            region,
            "bedrock",
            datetime!(2015-08-30 12:36 UTC),
        )
        .unwrap();
        crate::util::assert_signed_as_botocore(&request, case, &name);
    }
}

#[test]
fn job_answers_and_bad_specs() {
    // GetModelInvocationJob's answer, as AWS documents it.
    let status = job_status(br#"{"jobArn":"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123def456","jobName":"eval","modelId":"m","roleArn":"r","status":"InProgress","submitTime":"2025-01-01T00:00:00Z","inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://b/in/r.jsonl"}},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://b/out/"}},"totalRecordCount":120,"processedRecordCount":40,"successRecordCount":39,"errorRecordCount":1}"#).unwrap();
    assert_eq!(status.status, "InProgress");
    assert_eq!(status.job_id(), "abc123def456");
    assert_eq!(
        (status.total_record_count, status.error_record_count),
        (Some(120), Some(1))
    );
    assert_eq!(status.output_uri.as_deref(), Some("s3://b/out/"));
    assert_eq!(
        bedrock_request::batch::created_job_arn(br#"{"jobArn":"arn:x/abc"}"#).unwrap(),
        "arn:x/abc"
    );
    let spec = |name: &str, hours| JobSpec {
        job_name: name.into(),
        role_arn: "r".into(),
        model_id: "m".into(),
        input: S3Uri::parse("s3://bkt/in").unwrap(),
        output: S3Uri::parse("s3://bkt/out/").unwrap(),
        client_request_token: None,
        timeout_hours: hours,
    };
    let e = create_job("us-east-1", &Env::new(), &spec("bad name", None)).unwrap_err();
    assert!(
        e.to_string()
            .contains("must be 1 to 63 letters, digits and '-'"),
        "{e}"
    );
    let e = create_job("us-east-1", &Env::new(), &spec("ok", Some(12))).unwrap_err();
    assert!(e.to_string().contains("24 to 168 hours, not 12"), "{e}");
}
