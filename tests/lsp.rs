//! `lawful lsp` driven as an editor drives it: the binary as a subprocess, JSON-RPC
//! over its stdin and stdout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// Long enough for a slow machine; only there so a broken server fails the test
/// instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications that arrived while waiting for something else.
    notifications: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.unwrap()];
                reader.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            notifications: Vec::new(),
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its response, keeping notifications that come first.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.messages.recv_timeout(PATIENCE).unwrap();
            if message["id"] == json!(id) {
                assert_eq!(message.get("error"), None, "{method} failed: {message}");
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    /// The next diagnostics published for a URI.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.notifications.iter().position(is_for) {
            let m = self.notifications.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let message = self.messages.recv_timeout(PATIENCE).unwrap();
            if is_for(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(message);
        }
    }
}

/// A folder of rule files for one test, removed when the test ends.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("lawful-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        uri(&path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The LSP position (UTF-16 column) of the first `needle` in `text`, plus `skip` bytes.
fn position(text: &str, needle: &str, skip: usize) -> Value {
    let offset = text.find(needle).unwrap() + skip;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count();
    json!({"line": line, "character": character})
}

const POLICY: &str = r#"policy "Shop" version 2024-01-01

role visitor "someone who visits the shop"
category contact "your contact details"
category contact.email "your email address"
purpose marketing "to send you offers"
purpose support "to answer your questions"
attribute region "where you live" is text, default "unknown"

rule offers
  allow use of contact.email
  about visitor
  for marketing
  basis consent
  when region = "Zürich 𝄞" or region = "Genève"
  cite "Marketing"

rule questions
  allow use of contact
  about visitor
  for support
  basis legitimate_interests
  cite "Support"
"#;

const TESTS: &str = r#"test "offers by email"
  subject visitor
  consented to marketing at 2026-01-01
  use contact.email for marketing at 2026-03-01
  expect allowed by offers
"#;

#[test]
fn an_editor_session_checks_hovers_jumps_completes_and_shuts_down() {
    let folder = Folder::new("session");
    let policy_uri = folder.write("2024-01-01.lawful", POLICY);
    let tests_uri = folder.write("shop.test.lawful", TESTS);
    let mut client = Client::start();

    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(init["serverInfo"]["name"], "lawful");
    let capabilities = &init["capabilities"];
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "completionProvider",
        "documentFormattingProvider",
    ] {
        assert!(capabilities.get(provider).is_some(), "no {provider}");
    }
    client.notify("initialized", json!({}));

    // The editor's buffer, not the file on disk, is checked: it misspells an
    // attribute after text whose characters take 1, 2 and 4 bytes, and 1 or 2 UTF-16 units.
    let broken = POLICY.replace("or region = \"Genève\"", "or regoin = \"Genève\"");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": policy_uri, "languageId": "lawful", "version": 1, "text": broken}}),
    );
    let diagnostics = client.diagnostics(&policy_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "L010");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "lawful");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `region`?"),
        "{d}"
    );
    let start = position(&broken, "regoin", 0);
    let end = position(&broken, "regoin", "regoin".len());
    assert_eq!(d["range"], json!({"start": start, "end": end}));
    // Counted in UTF-16 units: `𝄞` is two of them, `ü` one.
    let line = broken
        .lines()
        .nth(start["line"].as_u64().unwrap() as usize)
        .unwrap();
    assert_eq!(start["character"], line.find("regoin").unwrap() - 3);

    // Fixing it with an incremental edit clears the problem.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": policy_uri, "version": 2},
               "contentChanges": [{"range": {"start": start, "end": end}, "text": "region"}]}),
    );
    assert_eq!(client.diagnostics(&policy_uri), Vec::<Value>::new());

    // Hover on a purpose where a rule uses it: its label and where it is declared.
    let on_marketing = position(POLICY, "for marketing", "for ".len() + 2);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": policy_uri}, "position": on_marketing}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("**purpose** `marketing`"), "{shown}");
    assert!(shown.contains("to send you offers"), "{shown}");
    assert!(shown.contains("`2024-01-01.lawful`, line 6"), "{shown}");

    // Go to definition: the purpose's declaration.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": policy_uri}, "position": on_marketing}),
    );
    let declared = position(POLICY, "purpose marketing", "purpose ".len());
    assert_eq!(definition["uri"], policy_uri);
    assert_eq!(definition["range"]["start"], declared);

    // From a test file to the rule it names, in the version file.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": tests_uri, "languageId": "lawful", "version": 1, "text": TESTS}}),
    );
    assert_eq!(client.diagnostics(&tests_uri), Vec::<Value>::new());
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": tests_uri}, "position": position(TESTS, "by offers", 4)}),
    );
    assert_eq!(definition["uri"], policy_uri);
    assert_eq!(
        definition["range"]["start"],
        position(POLICY, "rule offers", "rule ".len())
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": tests_uri}, "position": position(TESTS, "by offers", 4)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("allow use of `contact.email`"), "{shown}");
    assert!(shown.contains("basis `consent`"), "{shown}");

    // Completion after `for`: the declared purposes, and no roles.
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": policy_uri}, "position": position(POLICY, "for marketing", 4)}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"marketing"), "{labels:?}");
    assert!(labels.contains(&"support"), "{labels:?}");
    assert!(!labels.contains(&"visitor"), "{labels:?}");

    // A test naming a purpose the policy does not declare is reported on the test.
    let bad_tests = TESTS.replace("for marketing at", "for marketting at");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": tests_uri, "version": 2},
               "contentChanges": [{"text": bad_tests}]}),
    );
    let diagnostics = client.diagnostics(&tests_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "L041");

    // A file written on disk by another program, announced by the editor's watcher,
    // is checked with the folder, and its problems published though it is not open.
    let more_uri = folder.write(
        "more.test.lawful",
        &TESTS.replace("for marketing at", "for salez at"),
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": more_uri, "type": 1}]}),
    );
    let diagnostics = client.diagnostics(&more_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("salez")
    );

    // Formatting gives `lawful fmt`'s layout as one edit of the whole text.
    let draft = POLICY.replace("\n  ", " ");
    let draft_uri = folder.write("draft.lawful", &draft);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": draft_uri, "languageId": "lawful", "version": 1, "text": draft}}),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": draft_uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let expected = lawful::format::format_file("draft.lawful", &draft).unwrap();
    assert_ne!(expected, draft, "the draft is not laid out canonically");
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    assert_eq!(edits[0]["newText"], expected.as_str());

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_unclean_stop() {
    let mut client = Client::start();
    client.request("initialize", json!({"capabilities": {}}));
    client.notify("initialized", json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn input_that_is_not_the_protocol_stops_the_server_saying_why() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\r\n\r\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("malformed header"), "{stderr}");
}
