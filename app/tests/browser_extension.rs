//! The extension's sources: its id (fixed by the manifest's key) is the one
//! the host manifests allow, its rules pass their node tests, and build.py
//! makes the Chromium zip and the Firefox xpi with the ids the host expects.

use haul::browser::{CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID};
use std::path::PathBuf;
use std::process::Command;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../packaging/browser")
}

fn base64(text: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = alphabet.iter().position(|a| *a == c).expect("base64") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

fn manifest() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(folder().join("manifest.json")).expect("manifest")).expect("JSON")
}

#[test]
fn the_manifest_key_gives_the_id_the_host_allows() {
    let key = manifest()["key"].as_str().expect("a key").to_string();
    let digest = haul_tests::server::sha256_hex(&base64(&key));
    let id: String = digest[..32].chars().map(|c| (b'a' + c.to_digit(16).expect("hex") as u8) as char).collect();
    assert_eq!(id, CHROMIUM_EXTENSION_ID);
}

#[test]
fn the_take_over_rules_pass_their_tests() {
    let out = match Command::new("node").arg("--test").arg(folder().join("test")).output() {
        Ok(out) => out,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED the_take_over_rules_pass_their_tests: no node ({e})");
            return;
        }
        Err(e) => panic!("node is needed under CI: {e}"),
    };
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn build_py_makes_both_archives_with_the_ids_the_host_expects() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("python3").arg(folder().join("build.py")).arg(out_dir.path()).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for archive in ["haul-chromium.zip", "haul-firefox.xpi"] {
        let len = std::fs::metadata(out_dir.path().join(archive)).expect(archive).len();
        assert!(len > 1000, "{archive} is {len} bytes");
    }
    let firefox: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.path().join("firefox/manifest.json")).expect("firefox manifest"),
    )
    .expect("JSON");
    assert_eq!(firefox["browser_specific_settings"]["gecko"]["id"], FIREFOX_EXTENSION_ID);
    assert!(firefox.get("key").is_none());
    assert_eq!(firefox["background"]["scripts"], serde_json::json!(["rules.js", "background.js"]));
    let chromium: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.path().join("chromium/manifest.json")).expect("chromium manifest"),
    )
    .expect("JSON");
    assert_eq!(chromium, manifest());
}

#[test]
fn haul_browser_install_and_uninstall_round_trip() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join(".config");
    std::fs::create_dir_all(config.join("chromium")).expect("a chromium profile");
    std::fs::create_dir_all(home.path().join(".mozilla")).expect("a firefox profile");
    let haul = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_haul"))
            .args(args)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", &config)
            .env_remove("APPIMAGE")
            .output()
            .expect("haul");
        assert!(out.status.success(), "haul {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let chromium = config.join("chromium/NativeMessagingHosts/invalid.example.haul.json");
    let firefox = home.path().join(".mozilla/native-messaging-hosts/invalid.example.haul.json");
    let chrome = config.join("google-chrome/NativeMessagingHosts/invalid.example.haul.json");
    // Every browser with a profile here, and only those.
    let said = haul(&["browser", "install"]);
    assert!(said.contains("chromium") && said.contains("firefox"), "{said}");
    assert!(chromium.is_file() && firefox.is_file() && !chrome.exists());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&chromium).expect("manifest")).expect("JSON");
    let program = std::fs::canonicalize(env!("CARGO_BIN_EXE_haul")).expect("haul");
    assert_eq!(std::fs::canonicalize(written["path"].as_str().expect("path")).expect("path"), program);
    assert_eq!(written["allowed_origins"][0], format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/"));
    let firefox_manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&firefox).expect("manifest")).expect("JSON");
    assert_eq!(firefox_manifest["allowed_extensions"][0], FIREFOX_EXTENSION_ID);
    // A store's id added; a named browser without a profile.
    haul(&["browser", "install", "--browser", "chrome", "--extension-id", "abcdefghijklmnopabcdefghijklmnop"]);
    assert!(std::fs::read_to_string(&chrome).expect("chrome").contains("abcdefghijklmnopabcdefghijklmnop"));
    let removed = haul(&["--json", "browser", "uninstall"]);
    let removed: serde_json::Value = serde_json::from_str(&removed).expect("JSON");
    assert_eq!(removed.as_array().map(Vec::len), Some(3), "{removed}");
    assert!(!chromium.exists() && !firefox.exists() && !chrome.exists());
    assert!(haul(&["browser", "uninstall"]).contains("nothing to remove"));
    let bad = Command::new(env!("CARGO_BIN_EXE_haul")).args(["browser", "install", "--browser", "netscape"]).output();
    let bad = bad.expect("haul");
    assert_eq!(bad.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("netscape"));
}
