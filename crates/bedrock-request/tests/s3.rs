//! Issue 27: the S3 requests of a batch job, against botocore (vectors/s3/botocore.json, made by
//! tools/make_s3_vectors.py): the S3 client's serialisation (method, URL, body) and S3SigV4Auth's
//! signature for the same request, byte for byte; and AWS's own GET Object example.

use bedrock_request::batch::{S3Uri, S3};
use bedrock_request::sign::sign_s3_in_place;
use bedrock_request::{Env, HttpRequest};
use time::macros::datetime;

use crate::common::read;

fn build(s3: &S3, case: &serde_json::Value) -> HttpRequest {
    let p = &case["params"];
    let at = || S3Uri {
        bucket: p["Bucket"].as_str().unwrap().to_owned(),
        key: p["Key"].as_str().unwrap_or("").to_owned(),
    };
    let body = || p["Body"].as_str().unwrap().as_bytes().to_vec();
    let upload = || p["UploadId"].as_str().unwrap();
    match case["operation"].as_str().unwrap() {
        "PutObject" => s3.put_object(&at(), body()),
        "CreateMultipartUpload" => s3.create_multipart_upload(&at()),
        "UploadPart" => s3.upload_part(
            &at(),
            upload(),
            p["PartNumber"].as_u64().unwrap() as u32,
            body(),
        ),
        "CompleteMultipartUpload" => {
            let parts: Vec<(u32, String)> = p["MultipartUpload"]["Parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    (
                        x["PartNumber"].as_u64().unwrap() as u32,
                        x["ETag"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            s3.complete_multipart_upload(&at(), upload(), &parts)
        }
        "AbortMultipartUpload" => s3.abort_multipart_upload(&at(), upload()),
        "GetObject" => s3.get_object(&at()),
        "ListObjectsV2" => s3.list_objects(
            p["Bucket"].as_str().unwrap(),
            p["Prefix"].as_str().unwrap(),
            p["ContinuationToken"].as_str(),
        ),
        other => panic!("{other}"),
    }
}

#[test]
fn s3_requests_are_botocores_and_sign_as_its_s3_signer() {
    let doc: serde_json::Value = serde_json::from_str(&read("vectors/s3/botocore.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 18);
    for case in cases {
        let name = format!("{} {}", case["operation"], case["url"]);
        let mut env = Env::new();
        if let Some(endpoint) = case["endpoint"].as_str() {
            env.set("AWS_ENDPOINT_URL_S3", endpoint);
        }
        let s3 = S3::new(case["region"].as_str().unwrap(), &env).unwrap();
        let mut request = build(&s3, case);
        assert_eq!(request.method, case["method"].as_str().unwrap(), "{name}");
        assert_eq!(request.url, case["url"].as_str().unwrap(), "{name}");
        assert_eq!(
            request.body.as_str().unwrap(),
            case["body_text"].as_str().unwrap(),
            "{name}"
        );
        let creds = crate::util::vector_credentials(case);
        sign_s3_in_place(
            &mut request,
            &creds,
            s3.region(),
            datetime!(2015-08-30 12:36 UTC),
        )
        .unwrap();
        crate::util::assert_signed_as_botocore(&request, case, &name);
    }
}

#[test]
fn s3_locations_and_listings() {
    assert_eq!(
        S3Uri::parse("s3://b-1.x/p/q").unwrap().to_uri(),
        "s3://b-1.x/p/q"
    );
    for bad in ["s3://", "s3://AB/x", "s3://a/x", "gs://bucket/x"] {
        assert!(S3Uri::parse(bad).is_err(), "{bad}");
    }
    let page = bedrock_request::batch::listing(
        "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>o/a+b%2Bc.jsonl.out</Key></Contents><NextContinuationToken>ignored</NextContinuationToken></ListBucketResult>",
    )
    .unwrap();
    assert_eq!(page.keys, ["o/a b+c.jsonl.out"]);
    assert_eq!(page.next, None);
    assert_eq!(bedrock_request::batch::upload_id("<InitiateMultipartUploadResult><UploadId>u&amp;1</UploadId></InitiateMultipartUploadResult>").unwrap(), "u&1");
}
