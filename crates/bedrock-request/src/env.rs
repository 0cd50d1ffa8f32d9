//! A snapshot of environment variables, passed in by the caller.
//!
//! The library never reads the process environment; the CLI fills an [`Env`] from it, a
//! server fills one from its own settings, a test writes one by hand.

use std::collections::BTreeMap;
use std::fmt;

/// Environment variables as a plain map, handed in by the caller.
///
/// ```
/// use bedrock_request::Env;
///
/// let env = Env::from_iter([("AWS_REGION", "eu-west-1")]);
/// assert_eq!(env.get("AWS_REGION"), Some("eu-west-1"));
/// assert_eq!(env.get("AWS_PROFILE"), None);
/// ```
///
/// `Debug` prints the variable names only: values may be secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// An empty environment.
    pub fn new() -> Self {
        Env::default()
    }

    /// Sets a variable, replacing any earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Returns a copy with one more variable set.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// The value of a variable, if it is set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The value of a variable, if it is set and not empty (AWS tools treat an empty
    /// variable as unset).
    pub fn get_nonempty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Whether a boolean variable is on: `true` in any case, as the AWS SDKs read
    /// `AWS_USE_FIPS_ENDPOINT`, `AWS_EC2_METADATA_DISABLED` and the like.
    ///
    /// ```
    /// use bedrock_request::Env;
    /// let env = Env::from_iter([("AWS_USE_FIPS_ENDPOINT", "TRUE"), ("AWS_EC2_METADATA_DISABLED", "1")]);
    /// assert!(env.flag("AWS_USE_FIPS_ENDPOINT"));
    /// assert!(!env.flag("AWS_EC2_METADATA_DISABLED")); // only `true` counts, as in botocore
    /// assert!(!env.flag("AWS_USE_DUALSTACK_ENDPOINT"));
    /// ```
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// This environment with the profile's `endpoint_url` (read by the caller from the shared
    /// config) where the AWS SDKs rank it: below every `AWS_ENDPOINT_URL_<SERVICE>` variable and
    /// `AWS_ENDPOINT_URL` (it stands as `AWS_ENDPOINT_URL` when that is unset), and not at all
    /// with `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. A client's own `endpoint_url` option
    /// still comes first.
    ///
    /// ```
    /// use bedrock_request::Env;
    /// let env = Env::new().with_profile_endpoint_url(Some("http://localhost:4566"));
    /// assert_eq!(env.get("AWS_ENDPOINT_URL"), Some("http://localhost:4566"));
    /// let set = Env::from_iter([("AWS_ENDPOINT_URL", "http://a")]).with_profile_endpoint_url(Some("http://b"));
    /// assert_eq!(set.get("AWS_ENDPOINT_URL"), Some("http://a"));
    /// ```
    pub fn with_profile_endpoint_url(mut self, url: Option<&str>) -> Env {
        if let Some(url) = url.filter(|u| !u.is_empty()) {
            if self.get_nonempty("AWS_ENDPOINT_URL").is_none()
                && !self.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            {
                self.set("AWS_ENDPOINT_URL", url);
            }
        }
        self
    }
}

impl Env {
    /// This environment with a service's `endpoint_url` from the shared config's `services`
    /// section (read by the caller): as `AWS_ENDPOINT_URL_<SERVICE>` when that variable is unset,
    /// and not at all with `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. It beats
    /// `AWS_ENDPOINT_URL` and the profile's own `endpoint_url`, as in the AWS SDKs.
    ///
    /// ```
    /// use bedrock_request::Env;
    /// let env = Env::from_iter([("AWS_ENDPOINT_URL", "http://global")])
    ///     .with_service_endpoint_url("BEDROCK_RUNTIME", Some("http://service"));
    /// assert_eq!(env.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"), Some("http://service"));
    /// ```
    pub fn with_service_endpoint_url(mut self, service: &str, url: Option<&str>) -> Env {
        let var = format!("AWS_ENDPOINT_URL_{service}");
        if let Some(url) = url.filter(|u| !u.is_empty()) {
            if self.get_nonempty(&var).is_none()
                && !self.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            {
                self.set(&var, url);
            }
        }
        self
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        // One insert at a time (the last of a repeated name wins, as in `collect`, without
        // `collect`'s sort).
        let mut vars = BTreeMap::new();
        for (k, v) in iter {
            vars.insert(k.into(), v.into());
        }
        Env { vars }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}
