use super::*;

#[test]
fn only_refusals_before_an_answer_are_turned_away() {
    let url = "http://example.com/f".to_string();
    let http = |status| TransferError::Http { status, reason: String::new(), url: url.clone(), retry_after: None };
    let network = |code| TransferError::Network { url: url.clone(), detail: String::new(), code };
    for (error, turned_away) in [
        (http(503), true),
        (http(429), true),
        (http(500), false),
        (http(404), false),
        (network("connection_refused"), true),
        (network("network_error"), true),
        (network("timeout"), false),
        (network("connection_reset"), false),
        (TransferError::ShortBody { url: url.clone(), got: 1, expected: 2 }, false),
    ] {
        assert_eq!(error.turned_away(), turned_away, "{error}");
    }
}

#[test]
fn statuses_are_classified_as_bits_does() {
    let cases = [
        (302, Severity::Transient),
        (400, Severity::Fatal),
        (401, Severity::Fatal),
        (403, Severity::Fatal),
        (404, Severity::Fatal),
        (408, Severity::Transient),
        (410, Severity::Fatal),
        (425, Severity::Transient),
        (429, Severity::Transient),
        (500, Severity::Transient),
        (501, Severity::Fatal),
        (502, Severity::Transient),
        (503, Severity::Transient),
        (505, Severity::Fatal),
    ];
    for (status, severity) in cases {
        assert_eq!(classify_status(status), severity, "{status}");
    }
}

#[test]
fn http_errors_name_status_and_url() {
    let err =
        TransferError::Http { status: 404, reason: "Not Found".into(), url: "http://x/y".into(), retry_after: None };
    let job_error = err.to_job_error(1);
    assert_eq!(job_error.code, "http_404");
    assert_eq!(job_error.context, ErrorContext::RemoteFile);
    assert!(job_error.message.contains("404") && job_error.message.contains("http://x/y"));
}
