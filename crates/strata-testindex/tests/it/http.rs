//! The HTTP subset: ranges, validators, persistent connections, the log and
//! shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use strata_testindex::{Package, RequestRecord, TestIndex, Universe};

use crate::client::{Connection, JSON, get};

fn one_wheel(padding: u64) -> (TestIndex, String, Vec<u8>) {
    let index =
        TestIndex::start(Universe::new().package(Package::new("big", "1.0").padding(padding)));
    let path = index.file("big-1.0-py3-none-any.whl").unwrap().url_path;
    let whole = get(&index, &path, &[]).body;
    (index, path, whole)
}

#[test]
fn ranges_return_the_requested_slices() {
    let (index, path, whole) = one_wheel(50_000);
    let length = whole.len();
    let cases = [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, length - 1),
        ("bytes=-22", length - 22, length - 1),
        ("bytes=-999999999", 0, length - 1),
        ("bytes=10-999999999", 10, length - 1),
    ];
    for (range, start, end) in cases {
        let response = get(&index, &path, &[("Range", range)]);
        assert_eq!(response.status, 206, "{range}");
        assert_eq!(response.body, whole[start..=end], "{range}");
        assert_eq!(
            response.header("Content-Range"),
            Some(format!("bytes {start}-{end}/{length}").as_str()),
            "{range}"
        );
        assert_eq!(response.header("Accept-Ranges"), Some("bytes"));
    }
    let unsatisfiable = get(&index, &path, &[("Range", &format!("bytes={length}-"))]);
    assert_eq!(unsatisfiable.status, 416);
    assert_eq!(
        unsatisfiable.header("Content-Range"),
        Some(format!("bytes */{length}").as_str())
    );
}

#[test]
fn matching_if_none_match_gets_304_for_pages_and_files() {
    let (index, path, _) = one_wheel(0);
    for (target, headers) in [("/simple/big/", vec![JSON]), (path.as_str(), vec![])] {
        let first = get(&index, target, &headers);
        let etag = first.header("ETag").unwrap().to_string();
        let mut conditional = headers.clone();
        conditional.push(("If-None-Match", &etag));
        let second = get(&index, target, &conditional);
        assert_eq!(second.status, 304, "{target}");
        assert_eq!(second.header("ETag"), Some(etag.as_str()));
        assert!(second.body.is_empty());
        let mut stale = headers.clone();
        stale.push(("If-None-Match", "\"other\""));
        assert_eq!(get(&index, target, &stale).status, 200, "{target}");
    }
    // Each format has its own representation, hence its own validator.
    let json = get(&index, "/simple/big/", &[JSON]);
    let html = get(&index, "/simple/big/", &[]);
    assert_ne!(json.header("ETag"), html.header("ETag"));
    assert_eq!(json.header("Vary"), Some("Accept"));
}

#[test]
fn one_connection_serves_many_requests_and_head_sends_no_body() {
    let (index, path, whole) = one_wheel(1000);
    let mut connection = Connection::open(&index);
    let head = connection.send("HEAD", &path, &[]).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(whole.len().to_string().as_str())
    );
    let page = connection.send("GET", "/simple/big/", &[JSON]).unwrap();
    assert_eq!(page.status, 200);
    let file = connection
        .send("GET", &path, &[("Range", "bytes=0-3")])
        .unwrap();
    assert_eq!(file.body, b"PK\x03\x04");
    let last = connection
        .send("GET", "/simple/", &[("Connection", "close")])
        .unwrap();
    assert_eq!(last.header("Connection"), Some("close"));
    assert!(
        connection.send("GET", "/simple/", &[]).is_err(),
        "the server closes after `Connection: close`"
    );
}

#[test]
fn log_records_method_path_range_status_and_body_bytes() {
    let (index, path, whole) = one_wheel(0);
    index.reset_log();
    get(
        &index,
        &format!("{path}?query=1"),
        &[("Range", "bytes=-10")],
    );
    Connection::open(&index).send("HEAD", &path, &[]).unwrap();
    get(&index, "/simple/missing/", &[]);
    let log = index.requests();
    assert_eq!(
        log[0],
        RequestRecord {
            method: "GET".to_string(),
            path: path.clone(),
            range: Some("bytes=-10".to_string()),
            status: Some(206),
            bytes_sent: 10,
        }
    );
    assert_eq!((log[1].method.as_str(), log[1].bytes_sent), ("HEAD", 0));
    assert_eq!(log[2].status, Some(404));
    assert_eq!(index.requests_for("/files/").len(), 2);
    assert_eq!(index.bytes_served_for("/files/"), 10);
    assert!(index.bytes_served() > 10);
    assert!(whole.len() > 10);
    index.reset_log();
    assert!(index.requests().is_empty());
    assert_eq!(index.bytes_served(), 0);
}

/// What a metadata-by-range client does: the zip's tail, then one entry. It
/// must cost a tiny fraction of the wheel.
/// Returns the body bytes served and the wheel's size.
fn metadata_by_ranges(padding: u64) -> (u64, u64) {
    let index =
        TestIndex::start(Universe::new().package(Package::new("big", "1.0").padding(padding)));
    let wheel = index.file("big-1.0-py3-none-any.whl").unwrap();
    let (path, size) = (wheel.url_path, wheel.size);
    assert!(size > padding);

    let tail = get(&index, &path, &[("Range", "bytes=-65536")]).body;
    let eocd = tail
        .windows(4)
        .rposition(|window| window == b"PK\x05\x06")
        .unwrap();
    let directory_offset = u64::from(u32::from_le_bytes(
        tail[eocd + 16..eocd + 20].try_into().unwrap(),
    ));
    let tail_start = size - tail.len() as u64;
    let directory = &tail[usize::try_from(directory_offset - tail_start).unwrap()..eocd];
    let name = b"big-1.0.dist-info/METADATA";
    let entry = directory
        .windows(name.len())
        .position(|window| window == name)
        .unwrap()
        - 46;
    let field =
        |at: usize| u32::from_le_bytes(directory[entry + at..entry + at + 4].try_into().unwrap());
    let (compressed, local_offset) = (u64::from(field(20)), u64::from(field(42)));
    let range = format!(
        "bytes={local_offset}-{}",
        local_offset + 30 + name.len() as u64 + compressed + 1024
    );
    let local = get(&index, &path, &[("Range", &range)]).body;
    let data_start = 30
        + usize::from(u16::from_le_bytes([local[26], local[27]]))
        + usize::from(u16::from_le_bytes([local[28], local[29]]));
    let mut metadata = String::new();
    flate2::read::DeflateDecoder::new(&local[data_start..])
        .read_to_string(&mut metadata)
        .unwrap();
    assert!(
        metadata.starts_with("Metadata-Version: 2.3\nName: big\n"),
        "{metadata}"
    );
    assert!(
        index.bytes_served() * 100 < size,
        "{} of {size} bytes",
        index.bytes_served()
    );
    assert_eq!(index.requests().len(), 2);
    (index.bytes_served(), size)
}

#[test]
fn metadata_of_a_big_wheel_is_reachable_with_two_small_ranges() {
    metadata_by_ranges(20 * 1024 * 1024);
}

#[test]
#[ignore = "writes a 200 MB wheel; run with `--ignored` to measure"]
fn metadata_of_a_200_mb_wheel_costs_under_one_percent() {
    let started = Instant::now();
    let (served, size) = metadata_by_ranges(200 * 1024 * 1024);
    eprintln!("{served} of {size} bytes served in {:?}", started.elapsed());
}

#[test]
fn drop_closes_idle_connections_and_the_port() {
    let index = TestIndex::start(Universe::new().package(Package::new("a", "1")));
    let address = index.address();
    let mut idle = TcpStream::connect(address).unwrap();
    let mut busy = Connection::open(&index);
    busy.send("GET", "/simple/", &[]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    drop(index);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let mut buffer = [0; 1];
    idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    assert_eq!(idle.read(&mut buffer).unwrap_or(0), 0);
    let _ = idle.write_all(b"GET / HTTP/1.1\r\n\r\n");
    assert!(TcpStream::connect(address).is_err(), "the port is closed");
}

#[test]
fn many_parallel_connections_are_all_served() {
    let (index, path, whole) = one_wheel(100_000);
    let expected = crate::client::sha256(&whole);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..32)
            .map(|_| {
                scope.spawn(|| {
                    let mut connection = Connection::open(&index);
                    (0..4)
                        .map(|_| {
                            crate::client::sha256(&connection.send("GET", &path, &[]).unwrap().body)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            for hash in worker.join().unwrap() {
                assert_eq!(hash, expected);
            }
        }
    });
    assert_eq!(index.requests_for(&path).len(), 1 + 32 * 4);
}

#[test]
fn drop_interrupts_a_download_in_progress() {
    let index = TestIndex::start(
        Universe::new().package(Package::new("big", "1.0").padding(16 * 1024 * 1024)),
    );
    let path = index.file("big-1.0-py3-none-any.whl").unwrap().url_path;
    let mut stream = TcpStream::connect(index.address()).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut start = [0; 1024];
    stream.read_exact(&mut start).unwrap();
    let started = Instant::now();
    drop(index);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// curl is the third client the index must satisfy, after pip and strata's own.
#[test]
fn curl_follows_redirects_reuses_connections_and_reads_ranges() {
    let (index, path, whole) = one_wheel(10_000);
    let base = index.base_url();
    let output = match std::process::Command::new("curl")
        .args(["--silent", "--show-error", "--fail", "--location"])
        .args(["--header", "Accept: application/vnd.pypi.simple.v1+json"])
        .args(["--write-out", "\n%{num_connects} %{http_code}\n"])
        .arg(format!("{base}/simple/BIG"))
        .arg("--next")
        .args(["--silent", "--show-error", "--fail", "--range", "-100"])
        .args(["--write-out", "\n%{num_connects} %{http_code}\n"])
        .arg(format!("{base}{path}"))
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            strata_testindex::tool_missing(format!("`curl` is not available: {error}"));
            return;
        }
    };
    assert!(output.status.success(), "{output:?}");
    let statuses: Vec<u16> = index.requests().iter().filter_map(|r| r.status).collect();
    // The page was fetched twice (301 then 200) before the ranged file.
    assert_eq!(statuses[statuses.len() - 3..], [301, 200, 206]);
    let stdout = output.stdout;
    let text = String::from_utf8_lossy(&stdout);
    assert!(text.contains(r#""name":"big""#), "{text}");
    assert!(
        text.contains("\n1 200\n"),
        "one connection for page and redirect: {text}"
    );
    assert!(
        stdout.ends_with(
            &whole[whole.len() - 100..]
                .iter()
                .copied()
                .chain(*b"\n0 206\n")
                .collect::<Vec<u8>>()
        )
    );
}
