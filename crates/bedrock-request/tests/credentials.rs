//! The credential chain over fake home directories and replayed transcripts, on a virtual clock.

use std::collections::BTreeMap;

use bedrock_request::credentials::{
    drive, sso_cache_file_name, Chain, CredentialSource, Performed, ProcessOutput, Resolved,
    SharedConfig, Step,
};
use bedrock_request::{Auth, ClientConfig, Env, ErrorKind, HttpRequest, HttpResponse};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2024-01-15 12:00:00 UTC);

/// A fake machine: files, HTTP answers by "METHOD url" (first match by prefix), processes.
#[derive(Default)]
struct World {
    files: BTreeMap<String, String>,
    http: Vec<(String, HttpResponse)>,
    processes: BTreeMap<String, ProcessOutput>,
    /// Every step the chain asked for, in order.
    log: Vec<String>,
    sent: Vec<HttpRequest>,
}

impl World {
    fn file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(path.to_owned(), text.to_owned());
        self
    }
    fn http(mut self, method_url: &str, status: u16, body: &str) -> Self {
        self.http
            .push((method_url.to_owned(), HttpResponse::new(status, body)));
        self
    }
    fn process(mut self, command: &str, success: bool, stdout: &str) -> Self {
        self.processes.insert(
            command.to_owned(),
            ProcessOutput {
                success,
                stdout: stdout.to_owned(),
                stderr: "boom".to_owned(),
            },
        );
        self
    }
    fn perform(&mut self, step: &Step) -> Performed {
        match step {
            Step::ReadFile { path, .. } => {
                self.log.push(format!("read {path}"));
                Performed::File(self.files.get(path).cloned())
            }
            Step::Send(request) => {
                let line = format!("{} {}", request.method, request.url);
                self.log.push(format!("send {line}"));
                self.sent.push(request.clone());
                match self.http.iter().find(|(k, _)| line.starts_with(k.as_str())) {
                    Some((_, r)) => Performed::Response(r.clone()),
                    None => Performed::Unreachable("connection refused".into()),
                }
            }
            Step::Run { command, argv } => {
                self.log.push(format!("run {argv:?}"));
                Performed::Process(self.processes.get(command).cloned().unwrap_or_default())
            }
            other => panic!("not a step to perform: {other:?}"),
        }
    }
    fn resolve(
        &mut self,
        config: &ClientConfig,
        env: &Env,
    ) -> bedrock_request::Result<Option<Resolved>> {
        self.resolve_chain(Chain::new(config, env), NOW)
    }
    fn resolve_chain(
        &mut self,
        chain: Chain,
        now: OffsetDateTime,
    ) -> bedrock_request::Result<Option<Resolved>> {
        drive(chain, now, |step| self.perform(step))
    }
}

fn plain() -> ClientConfig {
    ClientConfig::builder().model("m").build().unwrap()
}

fn home() -> Env {
    Env::from_iter([("HOME", "/home/ada")])
}

fn key_of(r: &Resolved) -> String {
    match &r.auth {
        Auth::SigV4(c) => c.access_key_id().to_owned(),
        Auth::Bearer(_) => "bearer".to_owned(),
        _ => unreachable!(),
    }
}

const CREDS: &str = "/home/ada/.aws/credentials";
const CONFIG: &str = "/home/ada/.aws/config";

fn profiles() -> World {
    World::default()
        .file(CREDS, "# comment\n[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = s\n\n[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = s\naws_session_token = t\n")
        .file(CONFIG, "[default]\nregion = eu-west-1\n; another comment\n[profile dev]\nregion = us-west-2\ns3 =\n  max_concurrent_requests = 20\n[services local]\nbedrock_runtime =\n  endpoint_url = http://x\n")
}

#[test]
fn precedence_from_explicit_to_instance_metadata() {
    let env_keys = home()
        .with("AWS_ACCESS_KEY_ID", "ENVKEY")
        .with("AWS_SECRET_ACCESS_KEY", "s");
    // Explicit keys beat everything, without reading a file.
    let explicit = ClientConfig::builder()
        .model("m")
        .access_keys("OPTKEY", "s")
        .build()
        .unwrap();
    let mut w = profiles();
    let r = w.resolve(&explicit, &env_keys).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("OPTKEY".to_owned(), CredentialSource::Explicit)
    );
    assert!(w.log.is_empty());
    // An explicit profile beats environment keys (and the bearer token).
    let dev = ClientConfig::builder()
        .model("m")
        .profile("dev")
        .build()
        .unwrap();
    let r = profiles()
        .resolve(
            &dev,
            &env_keys.clone().with("AWS_BEARER_TOKEN_BEDROCK", "k"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            key_of(&r),
            r.source,
            r.profile.as_deref(),
            r.region.as_deref()
        ),
        (
            "DEVKEY".to_owned(),
            CredentialSource::Profile,
            Some("dev"),
            Some("us-west-2")
        )
    );
    // So does the CLI's --profile.
    let r = profiles()
        .resolve_chain(Chain::new(&plain(), &env_keys).with_profile("dev"), NOW)
        .unwrap()
        .unwrap();
    assert_eq!(key_of(&r), "DEVKEY");
    // AWS_PROFILE does not beat environment keys...
    let r = profiles()
        .resolve(&plain(), &env_keys.clone().with("AWS_PROFILE", "dev"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("ENVKEY".to_owned(), CredentialSource::Environment)
    );
    // ...but chooses the profile when there are none.
    let r = profiles()
        .resolve(&plain(), &home().with("AWS_PROFILE", "dev"))
        .unwrap()
        .unwrap();
    assert_eq!(key_of(&r), "DEVKEY");
    // The default profile otherwise, with its region from the config file.
    let r = profiles().resolve(&plain(), &home()).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.profile.as_deref(), r.region.as_deref()),
        ("DEFAULTKEY".to_owned(), Some("default"), Some("eu-west-1"))
    );
    // A Bedrock API key beats environment keys.
    let r = profiles()
        .resolve(
            &plain(),
            &env_keys.clone().with("AWS_BEARER_TOKEN_BEDROCK", "k"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(key_of(&r), "bearer");
    // No files, no env: the container, then IMDS, then nothing.
    let container_env = home().with(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/abc",
    );
    let mut w = World::default().http("GET http://169.254.170.2/v2/credentials/abc", 200, r#"{"AccessKeyId":"ECSKEY","SecretAccessKey":"s","Token":"t","Expiration":"2024-01-15T18:00:00Z"}"#);
    let r = w.resolve(&plain(), &container_env).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("ECSKEY".to_owned(), CredentialSource::Container)
    );
    let mut w = World::default();
    assert_eq!(w.resolve(&plain(), &home()).unwrap(), None);
    assert_eq!(
        w.log,
        [
            "read /home/ada/.aws/config",
            "read /home/ada/.aws/credentials",
            "send PUT http://169.254.169.254/latest/api/token"
        ]
    );
}

#[test]
fn file_locations_and_profile_errors() {
    let env = home()
        .with("AWS_CONFIG_FILE", "~/elsewhere/config")
        .with("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds")
        .with("AWS_EC2_METADATA_DISABLED", "true");
    let mut w = World::default().file(
        "/etc/aws/creds",
        "[default]\naws_access_key_id = K\naws_secret_access_key = s\n",
    );
    let r = w.resolve(&plain(), &env).unwrap().unwrap();
    assert_eq!(key_of(&r), "K");
    assert_eq!(
        w.log,
        ["read /home/ada/elsewhere/config", "read /etc/aws/creds"]
    );
    let e = profiles()
        .resolve(
            &ClientConfig::builder()
                .model("m")
                .profile("prod")
                .build()
                .unwrap(),
            &home(),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(
        e.to_string()
            .starts_with("profile \"prod\" is not in ~/.aws/config")
            && e.to_string().ends_with("default, dev"),
        "{e}"
    );
    let e = profiles()
        .resolve(&plain(), &home().with("AWS_PROFILE", "nope"))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("AWS_PROFILE=\"nope\", but there is no such profile"),
        "{e}"
    );
    let e = World::default()
        .file(CREDS, "[default]\naws_access_key_id = K\n")
        .resolve(&plain(), &home())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "profile \"default\" has aws_access_key_id but no aws_secret_access_key"
    );
    let e = World::default()
        .file(CONFIG, "region = x\n")
        .resolve(&plain(), &home())
        .unwrap_err();
    assert!(
        e.to_string().contains("a setting before any [section]"),
        "{e}"
    );
}

#[test]
fn shared_config_format() {
    let f = SharedConfig::parse(
        Some("[default]\nregion=us-east-1\n[profile a b]\nregion = x\n[not-a-profile]\nregion = y\n[sso-session corp]\nsso_region = eu-west-1\n"),
        Some("[a b]\nREGION = z\n[default]\nregion =\n"),
    )
    .unwrap();
    assert_eq!(
        f.profile("a b").unwrap().get("region"),
        Some("z"),
        "the credentials file wins, keys are case-insensitive"
    );
    assert_eq!(
        f.profile("default").unwrap().get("region"),
        Some("us-east-1"),
        "an empty value does not erase"
    );
    assert!(f.profile("not-a-profile").is_none());
    assert_eq!(
        f.sso_session("corp").unwrap().get("sso_region"),
        Some("eu-west-1")
    );
    assert!(SharedConfig::parse(Some("[default\n"), None).is_err());
    assert!(SharedConfig::parse(Some("[default]\njunk\n"), None)
        .unwrap_err()
        .to_string()
        .contains("line 2: expected key = value"));
}

#[test]
fn credential_process() {
    let config = "[default]\ncredential_process = /opt/bin/creds --profile 'my role' \"a b\"\n";
    let ok = r#"{"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-01-15T13:00:00Z"}"#;
    let mut w = World::default().file(CONFIG, config).process(
        "/opt/bin/creds --profile 'my role' \"a b\"",
        true,
        ok,
    );
    let r = w.resolve(&plain(), &home()).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("PROCKEY".to_owned(), CredentialSource::CredentialProcess)
    );
    assert!(
        w.log
            .contains(&r#"run ["/opt/bin/creds", "--profile", "my role", "a b"]"#.to_owned()),
        "{:?}",
        w.log
    );
    let Auth::SigV4(c) = &r.auth else {
        unreachable!()
    };
    assert_eq!(c.expires_at(), Some(datetime!(2024-01-15 13:00 UTC)));
    for (success, stdout, why) in [
        (false, "", "credential_process failed: boom"),
        (
            true,
            r#"{"AccessKeyId":"K","SecretAccessKey":"s"}"#,
            "must have \"Version\": 1",
        ),
        (
            true,
            r#"{"Version":1,"AccessKeyId":"K","SecretAccessKey":"s","Expiration":"2024-01-15T11:00:00Z"}"#,
            "already expired",
        ),
        (true, "not json", "not JSON"),
    ] {
        let mut w = World::default().file(CONFIG, config).process(
            "/opt/bin/creds --profile 'my role' \"a b\"",
            success,
            stdout,
        );
        let e = w.resolve(&plain(), &home()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("profile \"default\": credential_process")
                && e.to_string().contains(why),
            "{e}"
        );
    }
}

const SSO_CONFIG: &str = "[profile corp]\nsso_session = corp-sso\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = eu-central-1\n[sso-session corp-sso]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

#[test]
fn sso_with_a_session_on_a_virtual_clock() {
    let cache = format!(
        "/home/ada/.aws/sso/cache/{}",
        sso_cache_file_name("corp-sso")
    );
    let token = r#"{"accessToken": "TOKEN123", "expiresAt": "2024-01-15T20:00:00Z", "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}"#;
    let answer = r#"{"roleCredentials":{"accessKeyId":"SSOKEY","secretAccessKey":"s","sessionToken":"t","expiration":1705348800000}}"#;
    let env = home().with("AWS_PROFILE", "corp");
    let world = || {
        World::default()
            .file(CONFIG, SSO_CONFIG)
            .file(&cache, token)
            .http("GET https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Developer&account_id=123456789012", 200, answer)
    };
    let mut w = world();
    let r = w.resolve(&plain(), &env).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source, r.region.as_deref()),
        (
            "SSOKEY".to_owned(),
            CredentialSource::Sso,
            Some("eu-central-1")
        )
    );
    let Auth::SigV4(c) = &r.auth else {
        unreachable!()
    };
    assert_eq!(c.expires_at(), Some(datetime!(2024-01-15 20:00 UTC)));
    assert_eq!(w.sent[0].header("x-amz-sso_bearer_token"), Some("TOKEN123"));
    assert_eq!(
        w.sent[0].header("host"),
        Some("portal.sso.eu-west-1.amazonaws.com")
    );
    // Eight hours later the cached token has expired: the error says to log in again.
    let e = world()
        .resolve_chain(
            Chain::new(&plain(), &env),
            datetime!(2024-01-15 20:00:01 UTC),
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("run `aws sso login` for https://corp.awsapps.com/start"),
        "{e}"
    );
    // No cache file: log in first.
    let e = World::default()
        .file(CONFIG, SSO_CONFIG)
        .resolve(&plain(), &env)
        .unwrap_err();
    assert!(
        e.to_string().contains("run `aws sso login --profile corp`"),
        "{e}"
    );
    // The portal refuses the token.
    let mut w = World::default()
        .file(CONFIG, SSO_CONFIG)
        .file(&cache, token)
        .http("GET https://portal.sso", 401, "{}");
    assert!(w
        .resolve(&plain(), &env)
        .unwrap_err()
        .to_string()
        .contains("SSO refused the cached token (HTTP 401)"));
    // AWS_ENDPOINT_URL_SSO points the portal elsewhere (a loopback test server).
    let mut w = World::default()
        .file(CONFIG, SSO_CONFIG)
        .file(&cache, token)
        .http(
            "GET http://127.0.0.1:9000/federation/credentials?",
            200,
            answer,
        );
    let r = w
        .resolve(
            &plain(),
            &env.clone()
                .with("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9000"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(key_of(&r), "SSOKEY");
}

#[test]
fn legacy_sso_profile_uses_the_start_url_as_cache_key() {
    let config = "[default]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n";
    let cache = format!(
        "/home/ada/.aws/sso/cache/{}",
        sso_cache_file_name("https://old.awsapps.com/start")
    );
    let mut w = World::default()
        .file(CONFIG, config)
        .file(&cache, r#"{"accessToken":"T","expiresAt":"2024-01-15T13:00:00UTC"}"#)
        .http("GET https://portal.sso.us-east-1.amazonaws.com/", 200, r#"{"roleCredentials":{"accessKeyId":"OLDKEY","secretAccessKey":"s","sessionToken":"t"}}"#);
    assert_eq!(
        key_of(&w.resolve(&plain(), &home()).unwrap().unwrap()),
        "OLDKEY"
    );
    let e = World::default()
        .file(CONFIG, "[default]\nsso_start_url = https://x\n")
        .resolve(&plain(), &home())
        .unwrap_err();
    assert!(e.to_string().contains("has no sso_region"), "{e}");
}

const STS_OK: &str = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rs</SecretAccessKey><SessionToken>rt&amp;x</SessionToken><Expiration>2024-01-15T13:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";

#[test]
fn assume_role_from_a_source_profile() {
    let config = "[profile target]\nrole_arn = arn:aws:iam::999999999999:role/Bedrock\nsource_profile = base\nexternal_id = ext-1\nrole_session_name = sess\nduration_seconds = 900\nregion = us-west-2\n[profile base]\naws_access_key_id = BASEKEY\naws_secret_access_key = basesecret\n";
    let mut w = World::default().file(CONFIG, config).http(
        "POST https://sts.us-west-2.amazonaws.com/",
        200,
        STS_OK,
    );
    let r = w
        .resolve(
            &ClientConfig::builder()
                .model("m")
                .profile("target")
                .build()
                .unwrap(),
            &home(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("ASIAROLE".to_owned(), CredentialSource::AssumeRole)
    );
    let Auth::SigV4(c) = &r.auth else {
        unreachable!()
    };
    assert_eq!(c.session_token().unwrap().expose(), "rt&x");
    let sent = &w.sent[0];
    assert_eq!(
        sent.body.as_str().unwrap(),
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2FBedrock&RoleSessionName=sess&DurationSeconds=900&ExternalId=ext-1"
    );
    let auth = sent.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=BASEKEY/20240115/us-west-2/sts/aws4_request"),
        "{auth}"
    );
    // Signed with the source profile's secret: our canonical view and aws-sigv4 agree on it.
    let sts = bedrock_request::sign::string_to_sign(sent).unwrap();
    let key =
        aws_sigv4::sign::v4::generate_signing_key("basesecret", NOW.into(), "us-west-2", "sts");
    assert!(auth.ends_with(&aws_sigv4::sign::v4::calculate_signature(
        key,
        sts.as_bytes()
    )));
}

#[test]
fn assume_role_rules_and_errors() {
    let cycle = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n";
    let e = World::default()
        .file(CONFIG, cycle)
        .resolve(&plain(), &home().with("AWS_PROFILE", "a"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the profiles' source_profile settings form a cycle: a -> b -> a"
    );
    let both = "[default]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = x\ncredential_source = Environment\n";
    assert!(World::default()
        .file(CONFIG, both)
        .resolve(&plain(), &home())
        .unwrap_err()
        .to_string()
        .contains("both source_profile and credential_source"));
    let neither = "[default]\nrole_arn = arn:aws:iam::1:role/A\n";
    assert!(World::default()
        .file(CONFIG, neither)
        .resolve(&plain(), &home())
        .unwrap_err()
        .to_string()
        .contains("neither source_profile nor credential_source"));
    // credential_source = Environment, global STS (no region), STS refusing.
    let from_env =
        "[profile r]\nrole_arn = arn:aws:iam::1:role/A\ncredential_source = Environment\n";
    let env = home()
        .with("AWS_ACCESS_KEY_ID", "ENVKEY")
        .with("AWS_SECRET_ACCESS_KEY", "s");
    let denied = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>";
    let mut w = World::default().file(CONFIG, from_env).http(
        "POST https://sts.amazonaws.com/",
        403,
        denied,
    );
    let e = w
        .resolve(
            &ClientConfig::builder()
                .model("m")
                .profile("r")
                .build()
                .unwrap(),
            &env,
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "AssumeRole for profile \"r\" failed: AccessDenied: User is not authorized to perform: sts:AssumeRole");
    assert!(w.sent[0]
        .header("authorization")
        .unwrap()
        .contains("Credential=ENVKEY/20240115/us-east-1/sts/aws4_request"));
    // A self-referencing source_profile uses its own keys; AWS_ENDPOINT_URL_STS is honoured.
    let own = "[default]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = default\naws_access_key_id = SELF\naws_secret_access_key = s\n";
    let mut w = World::default()
        .file(CONFIG, own)
        .http("POST http://127.0.0.1:7000/", 200, STS_OK);
    let r = w
        .resolve(
            &plain(),
            &home().with("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:7000"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(key_of(&r), "ASIAROLE");
    assert!(w.sent[0]
        .header("authorization")
        .unwrap()
        .contains("Credential=SELF/"));
    // STS unreachable.
    let e = World::default()
        .file(CONFIG, own)
        .resolve(&plain(), &home())
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("STS is unreachable for profile \"default\"'s role"),
        "{e}"
    );
}

#[test]
fn web_identity_from_the_environment_and_from_a_profile() {
    let answer = STS_OK.replace("AssumeRole", "AssumeRoleWithWebIdentity");
    let env = home()
        .with("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks/token")
        .with("AWS_ROLE_ARN", "arn:aws:iam::1:role/Pod")
        .with("AWS_ROLE_SESSION_NAME", "pod-1")
        .with("AWS_REGION", "eu-west-1");
    let mut w = World::default()
        .file("/var/run/secrets/eks/token", "eyJhbGciOi.jwt\n")
        .http("POST https://sts.eu-west-1.amazonaws.com/", 200, &answer);
    let r = w.resolve(&plain(), &env).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("ASIAROLE".to_owned(), CredentialSource::WebIdentity)
    );
    assert_eq!(
        w.sent[0].body.as_str().unwrap(),
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FPod&RoleSessionName=pod-1&WebIdentityToken=eyJhbGciOi.jwt"
    );
    assert!(
        w.sent[0].header("authorization").is_none(),
        "AssumeRoleWithWebIdentity is not signed"
    );
    let profile =
        "[default]\nrole_arn = arn:aws:iam::1:role/P\nweb_identity_token_file = ~/token\n";
    let mut w = World::default()
        .file(CONFIG, profile)
        .file("/home/ada/token", "jwt")
        .http("POST https://sts.amazonaws.com/", 200, &answer);
    assert_eq!(
        w.resolve(&plain(), &home()).unwrap().unwrap().source,
        CredentialSource::WebIdentity
    );
    let e = World::default().resolve(&plain(), &env).unwrap_err();
    assert!(
        e.to_string()
            .contains("web identity token file /var/run/secrets/eks/token does not exist"),
        "{e}"
    );
}

#[test]
fn container_endpoints() {
    let answer = r#"{"AccessKeyId":"PODKEY","SecretAccessKey":"s","Token":"t","Expiration":"2024-01-15T18:00:00Z"}"#;
    let env = home()
        .with(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://169.254.170.23/v1/credentials",
        )
        .with(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
        );
    let mut w = World::default()
        .file(
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
            "podtoken\n",
        )
        .http("GET http://169.254.170.23/v1/credentials", 200, answer);
    let r = w.resolve(&plain(), &env).unwrap().unwrap();
    assert_eq!(key_of(&r), "PODKEY");
    assert_eq!(w.sent[0].header("authorization"), Some("podtoken"));
    let env = home()
        .with(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:8080/creds",
        )
        .with("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok");
    let mut w = World::default().http("GET http://127.0.0.1:8080/creds", 200, answer);
    w.resolve(&plain(), &env).unwrap().unwrap();
    assert_eq!(w.sent[0].header("authorization"), Some("tok"));
    let bad = home().with(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://evil.example.com/creds",
    );
    assert!(World::default()
        .resolve(&plain(), &bad)
        .unwrap_err()
        .to_string()
        .contains("plain http is allowed only to loopback"));
    let mut w = World::default().http("GET http://127.0.0.1:8080/creds", 500, "oops");
    assert!(w
        .resolve(&plain(), &env)
        .unwrap_err()
        .to_string()
        .starts_with("the container credentials endpoint answered HTTP 500"));
}

const IMDS_CREDS: &str = r#"{"Code":"Success","LastUpdated":"2024-01-15T11:00:00Z","Type":"AWS-HMAC","AccessKeyId":"EC2KEY","SecretAccessKey":"s","Token":"t","Expiration":"2024-01-15T17:00:00Z"}"#;

#[test]
fn imds_v2_and_the_v1_fallback() {
    let v2 = World::default()
        .http(
            "PUT http://169.254.169.254/latest/api/token",
            200,
            "IMDSTOKEN",
        )
        .http(
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/my-role",
            200,
            IMDS_CREDS,
        )
        .http(
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            200,
            "my-role\n",
        );
    let mut w = v2;
    let r = w.resolve(&plain(), &home()).unwrap().unwrap();
    assert_eq!(
        (key_of(&r), r.source),
        ("EC2KEY".to_owned(), CredentialSource::Imds)
    );
    assert_eq!(
        w.sent[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(
        w.sent[1].header("x-aws-ec2-metadata-token"),
        Some("IMDSTOKEN")
    );
    assert_eq!(
        w.sent[2].header("x-aws-ec2-metadata-token"),
        Some("IMDSTOKEN")
    );
    // The token PUT refused with 405 (what BAML users hit): IMDSv1, no token header.
    let mut w = World::default()
        .http("PUT http://127.0.0.1:1338/latest/api/token", 405, "")
        .http(
            "GET http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/r",
            200,
            IMDS_CREDS,
        )
        .http(
            "GET http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/",
            200,
            "r",
        );
    let env = home().with(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "http://127.0.0.1:1338/",
    );
    assert_eq!(
        key_of(&w.resolve(&plain(), &env).unwrap().unwrap()),
        "EC2KEY"
    );
    assert!(w.sent[1].header("x-aws-ec2-metadata-token").is_none());
    // No role attached; disabled; not on EC2.
    let mut w = World::default()
        .http("PUT http://169.254.169.254/latest/api/token", 200, "T")
        .http(
            "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            404,
            "",
        );
    assert_eq!(w.resolve(&plain(), &home()).unwrap(), None);
    let mut w = World::default();
    assert_eq!(
        w.resolve(&plain(), &home().with("AWS_EC2_METADATA_DISABLED", "true"))
            .unwrap(),
        None
    );
    assert!(w.sent.is_empty());
}

#[test]
fn refresh_margin() {
    let c =
        bedrock_request::Credentials::new("A", "S").with_expiry(datetime!(2024-01-15 12:10 UTC));
    assert!(!c.needs_refresh(NOW, time::Duration::minutes(5)));
    assert!(c.needs_refresh(NOW + time::Duration::minutes(6), time::Duration::minutes(5)));
    assert!(
        !bedrock_request::Credentials::new("A", "S").needs_refresh(NOW, time::Duration::hours(100))
    );
}

#[test]
fn answers_of_the_wrong_kind_or_unasked_are_refused() {
    let mut chain = Chain::new(&plain(), &home().with("AWS_EC2_METADATA_DISABLED", "true"));
    // Nothing asked yet.
    let e = chain.handle(Performed::File(None)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.to_string().contains("asked for nothing"), "{e}");
    // A file is asked for: a response or a process's output is refused, and changes nothing.
    assert_eq!(
        chain.poll(NOW).unwrap(),
        Step::ReadFile {
            path: CONFIG.into(),
            max_bytes: bedrock_request::credentials::MAX_CONFIG_FILE,
        }
    );
    let e = chain
        .handle(Performed::Response(HttpResponse::new(200, "{}")))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the credential chain asked for a file but got an HTTP response"
    );
    let e = chain
        .handle(Performed::Process(ProcessOutput::default()))
        .unwrap_err();
    assert!(e.to_string().ends_with("but got a process's output"), "{e}");
    assert_eq!(
        chain.poll(NOW).unwrap(),
        Step::ReadFile {
            path: CONFIG.into(),
            max_bytes: bedrock_request::credentials::MAX_CONFIG_FILE,
        }
    );
    chain.handle(Performed::File(None)).unwrap();
    // Answered once: a second answer to the same step is refused too.
    let e = chain.handle(Performed::File(None)).unwrap_err();
    assert!(e.to_string().contains("asked for nothing"), "{e}");
    // A request is asked for (the container endpoint): a file is refused, unreachable is fine.
    let mut chain = Chain::new(
        &plain(),
        &Env::from_iter([
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9/creds",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]),
    );
    assert!(matches!(chain.poll(NOW).unwrap(), Step::Send(_)));
    let e = chain.handle(Performed::File(Some("x".into()))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the credential chain asked for an HTTP response but got a file"
    );
    chain
        .handle(Performed::Unreachable("refused".into()))
        .unwrap();
    let e = chain.poll(NOW).unwrap_err();
    assert!(e.to_string().contains("unreachable (refused)"), "{e}");
}

#[test]
fn the_driver_gives_up_after_max_steps() {
    // A performer that never answers what was asked: every answer is refused, so the driver
    // stops at once with that error rather than looping.
    let chain = Chain::new(&plain(), &home().with("AWS_EC2_METADATA_DISABLED", "true"));
    let e = drive(chain, NOW, |_| Performed::Unreachable("no".into())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the credential chain asked for a file but got an unreachable request"
    );
    // A chain that needs more than MAX_STEPS steps (a role assumed through 63 source
    // profiles, one STS call each, after two file reads) stops at the cap with an error.
    let mut config =
        String::from("[default]\nrole_arn = arn:aws:iam::1:role/r0\nsource_profile = p1\n");
    for i in 1..63 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::1:role/r{i}\nsource_profile = p{}\n",
            i + 1
        ));
    }
    config.push_str("[profile p63]\naws_access_key_id = K\naws_secret_access_key = s\n");
    let mut asked = 0;
    let chain = Chain::new(&plain(), &home().with("AWS_EC2_METADATA_DISABLED", "true"));
    let e = drive(chain, NOW, |step| {
        asked += 1;
        match step {
            Step::ReadFile { path, .. } if path == CONFIG => Performed::File(Some(config.clone())),
            Step::ReadFile { .. } => Performed::File(None),
            _ => Performed::Response(HttpResponse::new(200, STS_OK)),
        }
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the credential chain did not finish in {} steps",
            bedrock_request::credentials::MAX_STEPS
        )
    );
    assert_eq!(asked, bedrock_request::credentials::MAX_STEPS);
}

#[test]
fn the_profile_region_reaches_the_request() {
    let env = home();
    let files = |path: &str| {
        Ok((path == CONFIG).then(|| {
            "[default]\nregion = eu-west-3\n[profile work]\nregion = ap-south-1\n".to_owned()
        }))
    };
    let region = bedrock_request::credentials::profile_region(&env, None, files).unwrap();
    assert_eq!(region.as_deref(), Some("eu-west-3"));
    let work = bedrock_request::credentials::profile_region(&env, Some("work"), files).unwrap();
    assert_eq!(work.as_deref(), Some("ap-south-1"));
    let config = plain();
    let messages = [bedrock_request::Message::user("hi")];
    let build = |env: &Env, region: Option<&str>| {
        bedrock_request::converse::Builder::new(&config, &messages, env)
            .profile_region(region)
            .build()
            .map(|r| r.region().to_owned())
    };
    // After AWS_REGION and AWS_DEFAULT_REGION, before nothing.
    assert_eq!(build(&env, region.as_deref()).unwrap(), "eu-west-3");
    assert_eq!(
        build(
            &env.clone().with("AWS_DEFAULT_REGION", "us-west-2"),
            region.as_deref()
        )
        .unwrap(),
        "us-west-2"
    );
    assert!(build(&env, None).is_err());
    // The chain resolves the same region with the credentials.
    let mut world = World::default().file(
        CONFIG,
        "[default]\nregion = eu-west-3\naws_access_key_id = K\naws_secret_access_key = s\n",
    );
    let resolved = drive(Chain::new(&config, &env), NOW, |s| world.perform(s))
        .unwrap()
        .unwrap();
    assert_eq!(resolved.region.as_deref(), Some("eu-west-3"));
}

#[test]
fn the_driver_shows_each_step_once_and_remembers_results() {
    let mut chain = Chain::new(&plain(), &home().with("AWS_EC2_METADATA_DISABLED", "true"));
    assert_eq!(
        chain.poll(NOW).unwrap(),
        Step::ReadFile {
            path: CONFIG.into(),
            max_bytes: bedrock_request::credentials::MAX_CONFIG_FILE,
        }
    );
    // Polling again without an answer asks the same thing.
    assert_eq!(
        chain.poll(NOW).unwrap(),
        Step::ReadFile {
            path: CONFIG.into(),
            max_bytes: bedrock_request::credentials::MAX_CONFIG_FILE,
        }
    );
    chain.handle(Performed::File(None)).unwrap();
    assert_eq!(
        chain.poll(NOW).unwrap(),
        Step::ReadFile {
            path: CREDS.into(),
            max_bytes: bedrock_request::credentials::MAX_CONFIG_FILE,
        }
    );
    chain
        .handle(Performed::File(Some(
            "[default]\naws_access_key_id = K\naws_secret_access_key = s\n".into(),
        )))
        .unwrap();
    assert!(matches!(chain.poll(NOW).unwrap(), Step::Done(r) if key_of(&r) == "K"));
}

/// A `credential_process` whose output is not UTF-8 is refused with the reason, not read
/// lossily (a secret with a stray byte would sign wrongly). A real process, run by the
/// blocking performer.
#[cfg(all(feature = "blocking", unix))]
#[test]
fn credential_process_output_that_is_not_utf8_is_refused() {
    use bedrock_request::credentials::blocking;
    let dir = crate::common::scratch("cp");
    let script = dir.join("creds.sh");
    // printf turns \377 into the byte 0xFF.
    std::fs::write(
        &script,
        "printf '{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"s\\377\"}'\n",
    )
    .unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[default]\ncredential_process = /bin/sh {}\n",
            script.display()
        ),
    )
    .unwrap();
    let env = Env::from_iter([
        ("HOME", dir.to_str().unwrap()),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("none").to_str().unwrap(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let e = blocking::resolve(Chain::from_env(&env)).unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    // The same script printing UTF-8 resolves.
    std::fs::write(
        &script,
        "printf '{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"s\"}'\n",
    )
    .unwrap();
    let resolved = blocking::resolve(Chain::from_env(&env)).unwrap();
    assert_eq!(resolved.source, CredentialSource::CredentialProcess);
    std::fs::remove_dir_all(&dir).unwrap();
}
