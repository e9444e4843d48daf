//! Every fault switch, set at start or changed at runtime.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::client::{Connection, JSON, get, join, sha256};

fn universe() -> Universe {
    Universe::new()
        .metadata_files(true)
        .package(Package::new("a", "1.0").padding(10_000))
        .package(Package::new("b", "1.0"))
}

fn wheel_path(index: &TestIndex) -> String {
    index.file("a-1.0-py3-none-any.whl").unwrap().url_path
}

/// Sends a request and reads until the server closes: headers and all.
fn raw(index: &TestIndex, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(index.address()).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    received
}

#[test]
fn latency_delays_only_matching_paths() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/a/", Fault::Latency(Duration::from_millis(300))),
    );
    let started = Instant::now();
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(get(&index, "/simple/b/", &[]).status, 200);
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[test]
fn server_errors_hit_the_first_requests_then_succeed() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/files/",
            Fault::ServerError {
                status: 503,
                count: 2,
            },
        ),
    );
    let path = wheel_path(&index);
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200, "out of scope");
    let statuses: Vec<u16> = (0..3).map(|_| get(&index, &path, &[]).status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    let logged: Vec<Option<u16>> = index
        .requests_for("/files/")
        .iter()
        .map(|record| record.status)
        .collect();
    assert_eq!(logged, [Some(503), Some(503), Some(200)]);
}

#[test]
fn connection_reset_closes_without_an_answer_then_recovers() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::everywhere(Faults::new(), Fault::ConnectionReset { count: 1 }),
    );
    assert!(raw(&index, "/simple/a/").is_empty());
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200);
    let statuses: Vec<Option<u16>> = index.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [None, Some(200)]);
}

#[test]
fn truncated_body_announces_the_full_length_and_sends_half() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/files/", Fault::TruncatedBody { count: 1 }),
    );
    let path = wheel_path(&index);
    let size = index.file("a-1.0-py3-none-any.whl").unwrap().size;
    let received = raw(&index, &path);
    let split = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&received[..split]).to_string();
    assert!(
        head.contains(&format!("Content-Length: {size}\r\n")),
        "{head}"
    );
    assert!(head.contains("Connection: close\r\n"), "{head}");
    assert_eq!((received.len() - split) as u64, size / 2);
    assert_eq!(index.requests_for(&path)[0].bytes_sent, size / 2);
    assert_eq!(
        get(&index, &path, &[]).body.len() as u64,
        size,
        "then whole"
    );
}

#[test]
fn range_unsupported_serves_the_whole_body() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/files/", Fault::RangeUnsupported),
    );
    let path = wheel_path(&index);
    let response = get(&index, &path, &[("Range", "bytes=-100")]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Accept-Ranges"), Some("none"));
    assert_eq!(
        response.body.len() as u64,
        index.file("a-1.0-py3-none-any.whl").unwrap().size
    );
}

#[test]
fn metadata_not_advertised_hides_only_the_advertisement() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/a/", Fault::MetadataNotAdvertised),
    );
    let hidden = get(&index, "/simple/a/", &[JSON]).json();
    assert!(hidden["files"][0].get("core-metadata").is_none());
    assert!(
        !get(&index, "/simple/a/", &[])
            .text()
            .contains("data-core-metadata")
    );
    assert_eq!(
        get(&index, &format!("{}.metadata", wheel_path(&index)), &[]).status,
        200
    );
    let shown = get(&index, "/simple/b/", &[JSON]).json();
    assert!(shown["files"][0].get("core-metadata").is_some());
}

#[test]
fn advertised_metadata_hash_replaces_or_drops_only_the_metadata_files_hash() {
    let other = "ab".repeat(32);
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new()
            .on(
                "/simple/a/",
                Fault::AdvertisedMetadataHash {
                    filename: "a-1.0-py3-none-any.whl".to_string(),
                    sha256: Some(other.clone()),
                },
            )
            .on(
                "/simple/b/",
                Fault::AdvertisedMetadataHash {
                    filename: "b-1.0-py3-none-any.whl".to_string(),
                    sha256: None,
                },
            ),
    );
    let served = get(&index, &format!("{}.metadata", wheel_path(&index)), &[]);
    assert_eq!(served.status, 200);
    assert_ne!(sha256(&served.body), other);

    let page = get(&index, "/simple/a/", &[JSON]).json();
    let file = &page["files"][0];
    assert_eq!(file["core-metadata"]["sha256"], other.as_str());
    assert_eq!(file["dist-info-metadata"], file["core-metadata"]);
    let wheel = index.file("a-1.0-py3-none-any.whl").unwrap();
    assert_eq!(
        file["hashes"]["sha256"],
        wheel.sha256.as_str(),
        "the file's own"
    );
    let html = get(&index, "/simple/a/", &[]).text();
    assert!(
        html.contains(&format!("data-core-metadata=\"sha256={other}\"")),
        "{html}"
    );

    let page = get(&index, "/simple/b/", &[JSON]).json();
    assert_eq!(page["files"][0]["core-metadata"], true);
    assert_eq!(page["files"][0]["dist-info-metadata"], true);
    let html = get(&index, "/simple/b/", &[]).text();
    assert!(
        html.contains("data-core-metadata=\"true\" data-dist-info-metadata=\"true\""),
        "{html}"
    );
}

#[test]
fn wrong_hash_advertises_a_hash_the_file_does_not_have() {
    let index =
        TestIndex::start_with_faults(universe(), Faults::new().everywhere(Fault::WrongHash));
    let page = get(&index, "/simple/a/", &[JSON]).json();
    let file = &page["files"][0];
    let served = get(
        &index,
        &join("/simple/a/", file["url"].as_str().unwrap()),
        &[],
    );
    let advertised = file["hashes"]["sha256"].as_str().unwrap();
    assert_eq!(advertised.len(), 64);
    assert_ne!(advertised, sha256(&served.body));
    let html = get(&index, "/simple/a/", &[]).text();
    assert!(!html.contains(&sha256(&served.body)), "{html}");
}

#[test]
fn malformed_pages_do_not_parse() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/", Fault::MalformedPage),
    );
    for path in ["/simple/", "/simple/a/"] {
        let json = get(&index, path, &[JSON]);
        assert_eq!(json.status, 200);
        assert!(
            serde_json::from_slice::<serde_json::Value>(&json.body).is_err(),
            "{path}"
        );
        let html = get(&index, path, &[]).text();
        assert!(!html.contains("</html>"), "{html}");
    }
}

#[test]
fn faults_change_at_runtime_through_the_handle() {
    let index = TestIndex::start(universe());
    let handle = index.faults();
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200);
    handle.set(Faults::new().everywhere(Fault::ServerError {
        status: 500,
        count: usize::MAX,
    }));
    assert_eq!(get(&index, "/simple/a/", &[]).status, 500);
    assert_eq!(get(&index, "/simple/b/", &[]).status, 500);
    handle.clear();
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200);
    assert_eq!(handle.current(), Faults::new());
}

#[test]
fn a_reset_on_a_kept_alive_connection_ends_that_connection() {
    let index = TestIndex::start(universe());
    let mut connection = Connection::open(&index);
    assert_eq!(
        connection.send("GET", "/simple/a/", &[]).unwrap().status,
        200
    );
    index.set_faults(Faults::new().everywhere(Fault::ConnectionReset { count: 1 }));
    assert!(connection.send("GET", "/simple/a/", &[]).is_err());
    let mut fresh = BufReader::new(TcpStream::connect(index.address()).unwrap());
    fresh
        .get_mut()
        .write_all(b"GET /simple/a/ HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut status = String::new();
    fresh.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
}

#[test]
fn not_found_answers_404_with_the_max_age_asked_then_recovers() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new()
            .on(
                "/simple/a/",
                Fault::NotFound {
                    count: 1,
                    max_age: Some(600),
                },
            )
            .on(
                "/simple/b/",
                Fault::NotFound {
                    count: 1,
                    max_age: None,
                },
            ),
    );
    let cacheable = get(&index, "/simple/a/", &[]);
    assert_eq!(cacheable.status, 404);
    assert_eq!(cacheable.header("Cache-Control"), Some("max-age=600"));
    let bare = get(&index, "/simple/b/", &[]);
    assert_eq!(bare.status, 404);
    assert_eq!(bare.header("Cache-Control"), None);
    assert_eq!(bare.header("ETag"), None);
    assert_eq!(get(&index, "/simple/a/", &[]).status, 200);
    assert_eq!(get(&index, "/simple/b/", &[]).status, 200);
}

#[test]
fn stall_reads_the_request_and_never_answers() {
    let index =
        TestIndex::start_with_faults(universe(), Faults::new().on("/simple/a/", Fault::Stall));
    let mut stream = TcpStream::connect(index.address()).unwrap();
    write!(stream, "GET /simple/a/ HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0; 1];
    let error = stream.read(&mut byte).unwrap_err();
    assert!(
        matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "nothing arrives: {error:?}"
    );
    let logged: Vec<_> = index
        .requests()
        .iter()
        .map(|record| (record.path.clone(), record.status))
        .collect();
    assert_eq!(logged, [("/simple/a/".to_string(), None)]);
    drop(stream);
    assert_eq!(get(&index, "/simple/b/", &[]).status, 200, "out of scope");
}

#[test]
fn trickle_sends_the_head_at_once_and_the_body_at_the_rate() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/files/",
            Fault::Trickle {
                bytes_per_second: 20_000,
            },
        ),
    );
    let path = wheel_path(&index);
    let size = index.file("a-1.0-py3-none-any.whl").unwrap().size;
    assert!(size > 10_000, "{size}");
    let started = Instant::now();
    let mut connection = BufReader::new(TcpStream::connect(index.address()).unwrap());
    write!(
        connection.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut status = String::new();
    connection.read_line(&mut status).unwrap();
    let head_after = started.elapsed();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let mut rest = Vec::new();
    connection.read_to_end(&mut rest).unwrap();
    let body_after = started.elapsed();
    let split = rest.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!((rest.len() - split) as u64, size, "the whole body arrives");
    // At 20,000 bytes a second the body takes at least size / 20,000 seconds, however idle
    // the machine; the head does not wait for it.
    let paced = Duration::from_micros(size * 1_000_000 / 20_000);
    assert!(body_after >= paced * 9 / 10, "{body_after:?} < {paced:?}");
    assert!(head_after < body_after, "{head_after:?} {body_after:?}");
    assert_eq!(index.requests_for("/files/")[0].bytes_sent, size);
    assert!(
        get(&index, "/simple/a/", &[]).status == 200,
        "pages are not paced"
    );
}

#[test]
fn redirect_loop_points_back_at_the_path() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/a/", Fault::RedirectLoop),
    );
    for _ in 0..3 {
        let response = get(&index, "/simple/a/", &[]);
        assert_eq!(response.status, 302);
        assert_eq!(response.header("Location"), Some("/simple/a/"));
    }
    assert_eq!(get(&index, "/simple/b/", &[]).status, 200);
}

#[test]
fn redirect_chain_reaches_the_page_after_n_hops_and_its_links_still_resolve() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/a/", Fault::RedirectChain(3)),
    );
    let mut path = "/simple/a/".to_string();
    let mut statuses = Vec::new();
    let response = loop {
        let response = get(&index, &path, &[JSON]);
        statuses.push(response.status);
        match response.header("Location") {
            Some(location) if response.status == 302 => path = location.to_string(),
            _ => break response,
        }
    };
    assert_eq!(statuses, [302, 302, 302, 200]);
    assert_eq!(path, "/hops/0/simple/a/");
    let page = response.json();
    assert_eq!(page["name"], "a");
    let wheel = join(&path, page["files"][0]["url"].as_str().unwrap());
    assert_eq!(wheel, "/hops/0/files/a/a-1.0-py3-none-any.whl");
    let served = get(&index, &wheel, &[]);
    assert_eq!(served.status, 200);
    assert_eq!(
        sha256(&served.body),
        index.file("a-1.0-py3-none-any.whl").unwrap().sha256
    );
    let logged: Vec<String> = index.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        logged[..4],
        [
            "/simple/a/",
            "/hops/2/simple/a/",
            "/hops/1/simple/a/",
            "/simple/a/"
        ]
    );
}

#[test]
fn oversized_page_is_padded_valid_and_sent_without_a_length() {
    const BYTES: u64 = 3 * 1024 * 1024;
    let index = TestIndex::start(universe());
    let plain = get(&index, "/simple/a/", &[JSON]).json();
    index.set_faults(Faults::new().on("/simple/a/", Fault::OversizedPage(BYTES)));
    let mut stream = TcpStream::connect(index.address()).unwrap();
    write!(
        stream,
        "GET /simple/a/ HTTP/1.1\r\nHost: x\r\nAccept: {}\r\n\r\n",
        JSON.1
    )
    .unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).unwrap();
    let split = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&received[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(!head.contains("Content-Length"), "{head}");
    assert!(head.contains("Connection: close\r\n"), "{head}");
    let body = &received[split..];
    assert_eq!(body.len() as u64, BYTES);
    let padded: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(padded, plain, "the same page, padded");
    assert_eq!(index.requests_for("/simple/a/")[1].bytes_sent, BYTES);
}
