//! Loading `tollgate.toml`: the example loads, and every check names the file, line, column
//! and key of the problem.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tollgate_codecs::Preset;
use tollgate_proxy::config::{
    BalanceConfig, Config, ConfigError, ConfigErrorKind, HashKey, HostMatch, LogFormat,
    OriginProtocol, PolicySource, defaults,
};
use tollgate_proxy::route::Router;

/// A valid configuration; the tests add to it or replace lines. Line numbers matter:
/// 1 `[[listeners]]`, 2 name, 3 listen, 5 `[[routes]]`, 6 cluster, 8 `[clusters.c]`, 9 origins.
const MINIMAL: &str = r#"[[listeners]]
name = "a"
listen = "127.0.0.1:8000"

[[routes]]
cluster = "c"

[clusters.c]
origins = ["127.0.0.1:8080"]
"#;

fn load(text: &str) -> Result<tollgate_proxy::config::Loaded, ConfigError> {
    Config::from_str(text, Path::new("t.toml"))
}

fn error(text: &str) -> ConfigError {
    match load(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(err) => err,
    }
}

/// Asserts the whole `FILE:LINE:COLUMN: KEY: MESSAGE` text and the kind.
fn assert_error(text: &str, kind: ConfigErrorKind, expected: &str) {
    let err = error(text);
    assert_eq!(err.to_string(), expected, "for:\n{text}");
    assert_eq!(err.kind(), kind, "{err}");
}

/// Asserts the location, key and kind, and that the message starts with `message`.
fn assert_error_starts(text: &str, kind: ConfigErrorKind, location: &str, message: &str) {
    let err = error(text);
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{location}: {message}")),
        "expected `{location}: {message}…`, got `{shown}`"
    );
    assert_eq!(err.kind(), kind, "{err}");
}

/// A scratch directory for files a configuration names, removed on drop.
struct Scratch(PathBuf);

#[expect(
    clippy::unwrap_used,
    reason = "test set-up outside #[test] functions: a failure is a failed test"
)]
impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("tollgate-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_example_loads_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tollgate.toml");
    let loaded = Config::load(&path).unwrap();
    assert_eq!(loaded.warnings, Vec::<String>::new());
    let config = loaded.config;
    assert_eq!(config.workers, 2);
    assert_eq!(config.log.format, LogFormat::Text);
    assert_eq!(
        config.admin.unwrap().listen,
        "127.0.0.1:9901".parse().unwrap()
    );
    assert_eq!(config.listeners.len(), 2);
    assert!(config.listeners.iter().all(|l| l.tls.is_none()));
    assert!(!config.listeners[1].protocols.h1 && config.listeners[1].protocols.h2);
    assert_eq!(config.clusters.len(), 2);
    for cluster in config.clusters.values() {
        assert_eq!(cluster.origins[0].to_string(), "127.0.0.1:8080");
        assert_eq!(cluster.protocol, OriginProtocol::H1);
    }
    let api = &config.clusters["api"];
    assert_eq!(api.retries, 2);
    assert_eq!(api.timeouts.total, Duration::from_secs(300));
    assert!(matches!(
        &api.balance,
        BalanceConfig::ConsistentHash(HashKey::Header(name)) if name == "x-user"
    ));
    let router = Router::new(&config.routes);
    assert_eq!(
        router.route(Some("localhost:8000"), "/api/users"),
        Some("api")
    );
    assert_eq!(
        router.route(Some("API.localhost"), "/index.html"),
        Some("api")
    );
    assert_eq!(
        router.route(Some("localhost"), "/index.html"),
        Some("static")
    );
    assert_eq!(router.route(None, "/api"), Some("static"));
}

#[test]
fn defaults_fill_everything_left_out() {
    let config = load(MINIMAL).unwrap().config;
    assert!(config.workers >= 1);
    assert_eq!(config.log.level, defaults::LOG_LEVEL);
    assert!(config.admin.is_none());
    assert_eq!(config.shutdown.drain_timeout, defaults::DRAIN_TIMEOUT);
    assert_eq!(
        config.policy.client.source,
        PolicySource::Preset(Preset::Default)
    );
    let listener = &config.listeners[0];
    assert!(listener.protocols.h1 && listener.protocols.h2);
    assert_eq!(listener.limits.max_connections, defaults::MAX_CONNECTIONS);
    assert_eq!(
        listener.limits.header_read_timeout,
        defaults::HEADER_READ_TIMEOUT
    );
    assert_eq!(config.routes[0].host, HostMatch::Any);
    assert_eq!(config.routes[0].path_prefix, "/");
    let cluster = &config.clusters["c"];
    assert_eq!(cluster.protocol, OriginProtocol::H1);
    assert_eq!(cluster.balance, BalanceConfig::RoundRobin);
    assert_eq!(cluster.retries, defaults::RETRIES);
    assert!(cluster.tls.is_none());
    assert_eq!(cluster.timeouts.connect, defaults::CONNECT_TIMEOUT);
    assert_eq!(
        cluster.pool.max_idle_per_origin,
        defaults::MAX_IDLE_PER_ORIGIN
    );
    assert_eq!(
        cluster.pool.max_concurrent_streams,
        defaults::MAX_CONCURRENT_STREAMS
    );
}

#[test]
fn syntax_errors_are_located() {
    let err = error("workers = \n");
    assert_eq!(err.kind(), ConfigErrorKind::Syntax);
    assert_eq!((err.line(), err.column()), (Some(1), Some(11)));
    assert!(err.to_string().starts_with("t.toml:1:11: "), "{err}");
}

#[test]
fn unknown_keys_are_named() {
    assert_error_starts(
        &format!("wrkers = 2\n{MINIMAL}"),
        ConfigErrorKind::UnknownKey,
        "t.toml:1:1: wrkers",
        "unknown field `wrkers`, expected one of",
    );
    assert_error_starts(
        &format!("{MINIMAL}retires = 2\n"),
        ConfigErrorKind::UnknownKey,
        "t.toml:10:1: clusters.c.retires",
        "unknown field `retires`",
    );
    assert_error_starts(
        &format!("{MINIMAL}[clusters.c.timeouts]\nconect = \"1s\"\n"),
        ConfigErrorKind::UnknownKey,
        "t.toml:11:1: clusters.c.timeouts.conect",
        "unknown field `conect`",
    );
    assert_error_starts(
        &MINIMAL.replace("name = \"a\"", "name = \"a\"\nport = 80"),
        ConfigErrorKind::UnknownKey,
        "t.toml:3:1: listeners[0].port",
        "unknown field `port`",
    );
}

#[test]
fn durations() {
    assert_error(
        &format!("{MINIMAL}[clusters.c.timeouts]\nconnect = \"5 sec\"\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:11:11: clusters.c.timeouts.connect: invalid duration \"5 sec\": expected e.g. \"250ms\", \"5s\"",
    );
    assert_error(
        &format!("[shutdown]\ndrain_timeout = \"0s\"\n{MINIMAL}"),
        ConfigErrorKind::InvalidValue,
        "t.toml:2:17: shutdown.drain_timeout: invalid duration \"0s\": must be greater than zero",
    );
    assert_error(
        &format!("{MINIMAL}[clusters.c.pool]\nidle_timeout = 90\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:11:16: clusters.c.pool.idle_timeout: invalid type: integer `90`, expected a duration string such as \"250ms\" or \"5s\"",
    );
    let config = load(&format!(
        "{MINIMAL}[clusters.c.timeouts]\ntotal = \"1m 30s\"\n"
    ))
    .unwrap()
    .config;
    assert_eq!(config.clusters["c"].timeouts.total, Duration::from_secs(90));
}

#[test]
fn at_least_one_listener_and_one_route() {
    assert_error(
        "[[routes]]\ncluster = \"c\"\n[clusters.c]\norigins = [\"127.0.0.1:1\"]\n",
        ConfigErrorKind::Missing,
        "t.toml: listeners: no [[listeners]]: add one, e.g. [[listeners]] name = \"public\" listen = \"0.0.0.0:8080\"",
    );
    let err = error(&MINIMAL.replace("[[routes]]\ncluster = \"c\"\n", ""));
    assert_eq!(err.kind(), ConfigErrorKind::Missing);
    assert_eq!(err.key(), Some("routes"));
}

#[test]
fn missing_required_keys_are_named() {
    assert_error(
        &MINIMAL.replace("listen = \"127.0.0.1:8000\"\n", ""),
        ConfigErrorKind::Missing,
        "t.toml:1:1: listeners[0].listen: missing field `listen`",
    );
    let err = error(&MINIMAL.replace("cluster = \"c\"\n", "path_prefix = \"/\"\n"));
    assert_eq!(err.kind(), ConfigErrorKind::Missing);
    assert_eq!(err.key(), Some("routes[0].cluster"));
}

#[test]
fn listener_names_and_addresses_are_unique() {
    let second = "[[listeners]]\nname = \"a\"\nlisten = \"127.0.0.1:8001\"\n";
    assert_error(
        &format!("{MINIMAL}{second}"),
        ConfigErrorKind::Conflict,
        "t.toml:11:8: listeners[1].name: listener name \"a\" is already used by listeners[0] (line 2)",
    );
    let second = "[[listeners]]\nname = \"b\"\nlisten = \"0.0.0.0:8000\"\n";
    assert_error(
        &format!("{MINIMAL}{second}"),
        ConfigErrorKind::Conflict,
        "t.toml:12:10: listeners[1].listen: 0.0.0.0:8000 overlaps the address of listeners[0] (127.0.0.1:8000): both cannot be bound",
    );
    // Different ports, or different families, do not overlap.
    let second = "[[listeners]]\nname = \"b\"\nlisten = \"[::]:8000\"\n";
    assert_eq!(
        load(&format!("{MINIMAL}{second}"))
            .unwrap()
            .config
            .listeners
            .len(),
        2
    );
    assert_error(
        &format!("[admin]\nlisten = \"127.0.0.1:8000\"\n{MINIMAL}"),
        ConfigErrorKind::Conflict,
        "t.toml:2:10: admin.listen: 127.0.0.1:8000 is also the address of listener \"a\"",
    );
}

#[test]
fn addresses_are_checked() {
    assert_error(
        &MINIMAL.replace("127.0.0.1:8000", "localhost:8000"),
        ConfigErrorKind::InvalidValue,
        "t.toml:3:10: listeners[0].listen: invalid address \"localhost:8000\": expected IP:port, e.g. \"0.0.0.0:8443\" or \"[::]:8443\"",
    );
}

#[test]
fn listener_protocols() {
    assert_error(
        &MINIMAL.replace("name = \"a\"", "name = \"a\"\nprotocols = []"),
        ConfigErrorKind::InvalidValue,
        "t.toml:3:13: listeners[0].protocols: a listener serves at least one of \"h1\", \"h2\"",
    );
    assert_error(
        &MINIMAL.replace("name = \"a\"", "name = \"a\"\nprotocols = [\"h2\", \"h2\"]"),
        ConfigErrorKind::Conflict,
        "t.toml:3:20: listeners[0].protocols[1]: listed twice",
    );
    assert_error_starts(
        &MINIMAL.replace("name = \"a\"", "name = \"a\"\nprotocols = [\"h3\"]"),
        ConfigErrorKind::InvalidValue,
        "t.toml:3:14: listeners[0].protocols[0]",
        "unknown variant `h3`, expected `h1` or `h2`",
    );
}

#[test]
fn routes_name_existing_clusters() {
    assert_error(
        &MINIMAL.replace("cluster = \"c\"", "cluster = \"api\""),
        ConfigErrorKind::Reference,
        "t.toml:6:11: routes[0].cluster: no cluster named \"api\" (defined: c)",
    );
}

#[test]
fn identical_routes_are_refused() {
    let text = format!(
        "{MINIMAL}[[routes]]\nhost = \"A.example\"\npath_prefix = \"/v1/\"\ncluster = \"c\"\n\
         [[routes]]\nhost = \"a.example.\"\npath_prefix = \"/v1/\"\ncluster = \"c\"\n"
    );
    assert_error(
        &text,
        ConfigErrorKind::Conflict,
        "t.toml:16:15: routes[2].path_prefix: routes[2] can never match: routes[1] (line 13) has the same host (a.example) and path_prefix (\"/v1/\")",
    );
    // Two catch-alls: the defaults are compared, and the error points at the cluster.
    assert_error(
        &format!("{MINIMAL}[[routes]]\ncluster = \"c\"\n"),
        ConfigErrorKind::Conflict,
        "t.toml:11:11: routes[1].cluster: routes[1] can never match: routes[0] (line 6) has the same host (any host) and path_prefix (\"/\")",
    );
}

#[test]
fn route_hosts_and_prefixes() {
    assert_error(
        &MINIMAL.replace("cluster = \"c\"", "host = \"a.*.com\"\ncluster = \"c\""),
        ConfigErrorKind::InvalidValue,
        "t.toml:6:8: routes[0].host: invalid host \"a.*.com\": expected a DNS name, \"*.\" and a DNS name, or an IP address",
    );
    assert_error(
        &MINIMAL.replace(
            "cluster = \"c\"",
            "host = \"a.example:443\"\ncluster = \"c\"",
        ),
        ConfigErrorKind::InvalidValue,
        "t.toml:6:8: routes[0].host: invalid host \"a.example:443\": leave out the port (routes match any port)",
    );
    assert_error(
        &MINIMAL.replace("cluster = \"c\"", "path_prefix = \"v1/\"\ncluster = \"c\""),
        ConfigErrorKind::InvalidValue,
        "t.toml:6:15: routes[0].path_prefix: invalid path_prefix \"v1/\": it must start with \"/\"",
    );
}

#[test]
fn origins_are_host_port() {
    assert_error(
        &MINIMAL.replace("origins = [\"127.0.0.1:8080\"]", "origins = []"),
        ConfigErrorKind::Missing,
        "t.toml:9:11: clusters.c.origins: a cluster needs at least one origin, e.g. origins = [\"127.0.0.1:8080\"]",
    );
    assert_error(
        &MINIMAL.replace(
            "[\"127.0.0.1:8080\"]",
            "[\"127.0.0.1:8080\", \"api.internal\"]",
        ),
        ConfigErrorKind::InvalidValue,
        "t.toml:9:30: clusters.c.origins[1]: invalid origin \"api.internal\": the port is missing; expected host:port, e.g. \"10.0.0.2:8080\", \"[::1]:8080\" or \"api.internal:443\"",
    );
    assert_error(
        &MINIMAL.replace(
            "[\"127.0.0.1:8080\"]",
            "[\"127.0.0.1:8080\", \"127.0.0.1:8080\"]",
        ),
        ConfigErrorKind::Conflict,
        "t.toml:9:30: clusters.c.origins[1]: origin 127.0.0.1:8080 is listed twice",
    );
    let err = error(&MINIMAL.replace("origins = [\"127.0.0.1:8080\"]", "protocol = \"h2\""));
    assert_eq!(err.kind(), ConfigErrorKind::Missing);
    assert_eq!(err.key(), Some("clusters.c.origins"));
}

#[test]
fn protocol_and_tls_combinations() {
    assert_error(
        &format!("{MINIMAL}protocol = \"h2\"\n"),
        ConfigErrorKind::Missing,
        "t.toml:10:12: clusters.c.protocol: protocol \"h2\" is HTTP over TLS and needs a [clusters.c.tls] table (an empty one verifies against the webpki roots)",
    );
    assert_error_starts(
        &format!("{MINIMAL}protocol = \"auto\"\n"),
        ConfigErrorKind::Missing,
        "t.toml:10:12: clusters.c.protocol",
        "protocol \"auto\" is HTTP over TLS",
    );
    let err = error(&format!(
        "{MINIMAL}protocol = \"h2c\"\n[clusters.c.tls]\nverify = false\n"
    ));
    assert_eq!(err.kind(), ConfigErrorKind::Conflict);
    assert_eq!(err.line(), Some(11), "{err}");
    assert!(err.key().unwrap().starts_with("clusters.c.tls"), "{err}");
    assert!(
        err.message().starts_with("h2c is cleartext HTTP/2"),
        "{err}"
    );
    // h1 takes TLS or not; h2 with a table is fine; an IP origin without sni sends none.
    let config = load(&format!("{MINIMAL}protocol = \"h2\"\n[clusters.c.tls]\n"))
        .unwrap()
        .config;
    let cluster = &config.clusters["c"];
    let tls = cluster.tls.as_ref().unwrap();
    assert!(tls.verify);
    assert_eq!(tls.server_name(&cluster.origins[0]), None);
    let config = load(&format!(
        "{MINIMAL}[clusters.c.tls]\nsni = \"API.internal\"\n"
    ))
    .unwrap()
    .config;
    let cluster = &config.clusters["c"];
    let tls = cluster.tls.as_ref().unwrap();
    assert_eq!(tls.server_name(&cluster.origins[0]), Some("api.internal"));
    assert_error_starts(
        &format!("{MINIMAL}protocol = \"h3\"\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:10:12: clusters.c.protocol",
        "unknown variant `h3`",
    );
}

#[test]
fn tls_files_must_be_readable() {
    let scratch = Scratch::new("tls");
    scratch.write("certs/a.pem", "not parsed here");
    scratch.write("certs/a.key", "not parsed here");
    let file = scratch.0.join("tollgate.toml");
    let tls =
        "[listeners.tls]\ncertificates = [{ cert = \"certs/a.pem\", key = \"certs/a.key\" }]\n";
    let text = MINIMAL.replace(
        "listen = \"127.0.0.1:8000\"\n",
        &format!("listen = \"127.0.0.1:8000\"\n{tls}"),
    );
    let config = Config::from_str(&text, &file).unwrap().config;
    let cert = &config.listeners[0].tls.as_ref().unwrap().certificates[0];
    assert_eq!(
        cert.cert,
        scratch.0.join("certs/a.pem"),
        "relative to the file's directory"
    );
    assert_eq!(cert.key, scratch.0.join("certs/a.key"));

    let missing = text.replace("certs/a.key", "certs/b.key");
    let err = Config::from_str(&missing, &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Io);
    assert_eq!(err.key(), Some("listeners[0].tls.certificates[0].key"));
    assert_eq!((err.line(), err.column()), (Some(5), Some(47)));
    let missing_path = scratch.0.join("certs/b.key");
    assert!(
        err.message().starts_with(&format!(
            "cannot read private key {}: ",
            missing_path.display()
        )),
        "{err}"
    );

    let directory = text.replace("certs/a.pem", "certs");
    let err = Config::from_str(&directory, &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Io);
    assert!(err.message().ends_with("is not a file"), "{err}");

    let ca = format!("{text}[clusters.c.tls]\nca_file = \"ca.pem\"\n");
    let err = Config::from_str(&ca, &file).unwrap_err();
    assert_eq!(err.key(), Some("clusters.c.tls.ca_file"));
    assert_eq!(err.kind(), ConfigErrorKind::Io);
    scratch.write("ca.pem", "x");
    let config = Config::from_str(&ca, &file).unwrap().config;
    assert_eq!(
        config.clusters["c"]
            .tls
            .as_ref()
            .unwrap()
            .ca_file
            .as_deref(),
        Some(scratch.0.join("ca.pem").as_path())
    );
}

#[test]
fn listener_certificates() {
    let scratch = Scratch::new("certs");
    scratch.write("a.pem", "x");
    scratch.write("a.key", "x");
    let file = scratch.0.join("t.toml");
    let with = |certificates: &str| {
        MINIMAL.replace(
            "listen = \"127.0.0.1:8000\"\n",
            &format!(
                "listen = \"127.0.0.1:8000\"\n[listeners.tls]\ncertificates = [{certificates}]\n"
            ),
        )
    };
    let err = Config::from_str(&with(""), &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Missing);
    assert_eq!(err.key(), Some("listeners[0].tls.certificates"));
    let two = "{ cert = \"a.pem\", key = \"a.key\" }, { cert = \"a.pem\", key = \"a.key\" }";
    let err = Config::from_str(&with(two), &file).unwrap_err();
    assert_eq!(
        err.key(),
        Some("listeners[0].tls.certificates[1].cert"),
        "{err}"
    );
    assert!(err.message().contains("needs server_names"), "{err}");
    let twice = "{ cert = \"a.pem\", key = \"a.key\", server_names = [\"a.example\"] }, \
                 { cert = \"a.pem\", key = \"a.key\", server_names = [\"A.example\"] }";
    let err = Config::from_str(&with(twice), &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Conflict);
    assert_eq!(
        err.key(),
        Some("listeners[0].tls.certificates[1].server_names[0]")
    );
    let bad = "{ cert = \"a.pem\", key = \"a.key\", server_names = [\"a b\"] }";
    let err = Config::from_str(&with(bad), &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidValue);
    let good = "{ cert = \"a.pem\", key = \"a.key\" }, \
                { cert = \"a.pem\", key = \"a.key\", server_names = [\"*.Example.com\"] }";
    let config = Config::from_str(&with(good), &file).unwrap().config;
    let certificates = &config.listeners[0].tls.as_ref().unwrap().certificates;
    assert_eq!(certificates[1].server_names, ["*.example.com"]);
}

#[test]
fn counts_are_in_range() {
    assert_error(
        &format!("workers = 0\n{MINIMAL}"),
        ConfigErrorKind::InvalidValue,
        "t.toml:1:11: workers: 0 is out of range: expected 1 to 1024",
    );
    assert_error(
        &format!("{MINIMAL}[clusters.c.pool]\nmax_connections_per_origin = 0\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:11:30: clusters.c.pool.max_connections_per_origin: 0 is out of range: expected at least 1",
    );
    assert_error(
        &format!("{MINIMAL}[clusters.c.pool]\nmax_concurrent_streams = 0\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:11:26: clusters.c.pool.max_concurrent_streams: 0 is out of range: expected 1 to 2147483647",
    );
    assert_error(
        &format!(
            "{MINIMAL}[clusters.c.pool]\nmax_connections_per_origin = 4\nmax_idle_per_origin = 8\n"
        ),
        ConfigErrorKind::Conflict,
        "t.toml:12:23: clusters.c.pool.max_idle_per_origin: 8 idle connections cannot be kept when at most 4 are open (max_connections_per_origin)",
    );
    assert_error(
        &format!("{MINIMAL}retries = 11\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:10:11: clusters.c.retries: 11 is out of range: expected 0 to 10",
    );
    assert_error_starts(
        &MINIMAL.replace(
            "listen = \"127.0.0.1:8000\"\n",
            "listen = \"127.0.0.1:8000\"\n[listeners.limits]\nmax_connections = -1\n",
        ),
        ConfigErrorKind::InvalidValue,
        "t.toml:5:19: listeners[0].limits.max_connections",
        "invalid value: integer `-1`",
    );
    // A small pool lowers the default idle count with it.
    let config = load(&format!(
        "{MINIMAL}[clusters.c.pool]\nmax_connections_per_origin = 4\n"
    ))
    .unwrap()
    .config;
    assert_eq!(config.clusters["c"].pool.max_idle_per_origin, 4);
}

#[test]
fn balance_shapes() {
    let with = |balance: &str| load(&format!("{MINIMAL}balance = {balance}\n"));
    let balance = |text: &str| with(text).unwrap().config.clusters["c"].balance.clone();
    assert_eq!(balance("\"round_robin\""), BalanceConfig::RoundRobin);
    assert_eq!(
        balance("{ consistent_hash = \"client_ip\" }"),
        BalanceConfig::ConsistentHash(HashKey::ClientIp)
    );
    assert_eq!(
        balance("{ consistent_hash = \"path\" }"),
        BalanceConfig::ConsistentHash(HashKey::Path)
    );
    assert_error(
        &format!("{MINIMAL}balance = {{ consistent_hash = {{ header = \"x user\" }} }}\n"),
        ConfigErrorKind::InvalidValue,
        "t.toml:10:42: clusters.c.balance.consistent_hash.header: invalid header name \"x user\"",
    );
    let err = with("\"random\"").unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidValue);
    assert_eq!(err.key(), Some("clusters.c.balance"), "{err}");
}

#[test]
fn log_settings() {
    assert_error_starts(
        &format!("[log]\nlevel = \"info,=bogus=\"\n{MINIMAL}"),
        ConfigErrorKind::InvalidValue,
        "t.toml:2:9: log.level",
        "invalid log filter \"info,=bogus=\"",
    );
    let config = load(&format!(
        "[log]\nformat = \"json\"\nlevel = \"warn,tollgate_proxy=debug\"\n{MINIMAL}"
    ))
    .unwrap()
    .config;
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.log.level, "warn,tollgate_proxy=debug");
}

#[test]
fn policies_are_presets_or_files() {
    let scratch = Scratch::new("policy");
    let file = scratch.0.join("t.toml");
    let text =
        format!("[policy]\nclient = \"strict\"\norigin = \"policies/origin.toml\"\n{MINIMAL}");

    let err = Config::from_str(&text, &file).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Io);
    assert_eq!(err.key(), Some("policy.origin"));
    assert_eq!((err.line(), err.column()), (Some(3), Some(10)));
    assert!(
        err.message()
            .contains("a preset, \"strict\", \"default\" or \"lenient\""),
        "{err}"
    );

    let policy = scratch.write("policies/origin.toml", "base = \"lenient\"\n");
    let config = Config::from_str(&text, &file).unwrap().config;
    assert_eq!(
        config.policy.client.source,
        PolicySource::Preset(Preset::Strict)
    );
    assert_eq!(
        config.policy.origin.source,
        PolicySource::File(policy.clone())
    );
    assert_eq!(config.policy.origin.policy.base(), Preset::Lenient);

    std::fs::write(&policy, "base = \"lenient\"\nbase2 = 1\n").unwrap();
    let err = Config::from_str(&text, &file).unwrap_err();
    assert_eq!(err.file(), policy.as_path(), "the policy file is named");
    assert_eq!(err.line(), Some(2));
    assert!(
        err.message()
            .ends_with("(policy file named by policy.origin)"),
        "{err}"
    );
}

#[test]
fn unused_clusters_are_warnings() {
    let loaded = load(&format!(
        "{MINIMAL}[clusters.spare]\norigins = [\"127.0.0.1:9\"]\n"
    ))
    .unwrap();
    assert_eq!(
        loaded.warnings,
        ["t.toml:10:11: clusters.spare: cluster is not used by any route: no request can reach it"]
    );
    assert!(loaded.config.clusters.contains_key("spare"));
}

#[test]
fn quoted_keys_stay_one_segment() {
    let text = MINIMAL
        .replace("cluster = \"c\"", "cluster = \"a.b\"")
        .replace("[clusters.c]", "[clusters.\"a.b\"]")
        .replace("origins = [\"127.0.0.1:8080\"]", "origins = [\"x\"]");
    let err = error(&text);
    assert_eq!(err.key(), Some("clusters.\"a.b\".origins[0]"), "{err}");
}

#[test]
fn load_reads_the_file_and_names_it() {
    let scratch = Scratch::new("load");
    let missing = scratch.0.join("absent.toml");
    let err = Config::load(&missing).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::Io);
    assert_eq!(err.line(), None);
    assert!(
        err.to_string().starts_with(&format!(
            "{}: cannot read the configuration: ",
            missing.display()
        )),
        "{err}"
    );
    let path = scratch.write("tollgate.toml", &MINIMAL.replace("c\"", "d\""));
    let err = Config::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:6:11: routes[0].cluster: ", path.display())),
        "{err}"
    );
}
