//! `lawful lsp`: a language server for rule and test files, speaking the Language
//! Server Protocol over stdin and stdout.
//!
//! One thread answers every message in order (rust-analyzer's `lsp-server` reads
//! and writes on two threads of its own). A document is checked with the rest of
//! its folder, as `lawful check` checks it ([`analysis`]); the checks of a burst of
//! edits are coalesced: a folder is re-checked when no message is waiting, or
//! before a request about it is answered. Hover, definition and the outline come
//! from [`navigate`], completion from [`complete`], formatting from [`format`].
//! Positions are UTF-16 columns, the protocol's default ([`text`]).

mod analysis;
mod complete;
mod describe;
mod format;
mod navigate;
mod text;
mod uri;

use std::collections::{BTreeSet, HashMap};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, CompletionTriggerKind, DocumentSymbolResponse,
    HoverProviderCapability, InitializeResult, OneOf, PositionEncodingKind,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use analysis::{FileState, Folder, FolderKey, OpenDocument};
use text::Text;

/// How long the editor must pause after a change before its folder is checked: a
/// check compiles the whole policy, and a burst of keystrokes needs only the last.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(100);

const CLOSED: &str = "the editor closed the connection without `exit`";

/// Serves one client over stdin and stdout until it says `exit`. `Ok(true)` when it
/// asked to shut down first, as the protocol wants; `Err` when the conversation
/// broke (the message says how).
pub(crate) fn serve_stdio() -> Result<bool, String> {
    let (connection, io_threads) = Connection::stdio();
    let outcome = serve(&connection);
    drop(connection);
    match outcome {
        // After `exit`, or when the input ended or could not be read, the reader
        // thread has stopped and the writer stops with the connection: joining them
        // cannot block, and tells why the input ended.
        Ok(clean) => io_threads
            .join()
            .map(|()| clean)
            .map_err(|e| format!("the connection to the editor failed: {e}")),
        Err(Broken::Input(what)) => Err(match io_threads.join() {
            Err(e) => format!("{what}: {e}"),
            Ok(()) => format!("{what}: the input ended"),
        }),
        // The reader may still be waiting for input: do not wait for it.
        Err(Broken::Protocol(message)) => Err(message),
    }
}

/// How a conversation broke.
enum Broken {
    /// The input ended, or could not be read as the protocol's messages.
    Input(&'static str),
    /// The editor sent something the protocol does not allow there.
    Protocol(String),
}

/// Serves one client over a connection.
fn serve(connection: &Connection) -> Result<bool, Broken> {
    let broken = |what: &'static str| {
        move |e: lsp_server::ProtocolError| {
            if e.channel_is_disconnected() {
                Broken::Input(what)
            } else {
                Broken::Protocol(format!("{what}: {e}"))
            }
        }
    };
    let (id, _params) = connection
        .initialize_start()
        .map_err(broken("the editor did not start the conversation"))?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "lawful".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| Broken::Protocol(e.to_string()))?;
    connection
        .initialize_finish(id, result)
        .map_err(broken("the editor did not finish starting"))?;
    Server::new(connection).run()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".to_owned(), ",".to_owned()]),
            ..CompletionOptions::default()
        }),
        // Always offered: until the formatter is connected, formatting changes nothing.
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    /// The editor's open documents, by URI.
    open: HashMap<String, OpenDocument>,
    /// The last check of each folder with an open document.
    folders: HashMap<FolderKey, Folder>,
    /// Folders changed since their last check.
    dirty: BTreeSet<FolderKey>,
    /// What was last published for each URI (to clear it, and to skip repeats).
    published: HashMap<String, (FolderKey, Uri, Vec<lsp_types::Diagnostic>)>,
    shutting_down: bool,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection) -> Server<'c> {
        Server {
            connection,
            open: HashMap::new(),
            folders: HashMap::new(),
            dirty: BTreeSet::new(),
            published: HashMap::new(),
            shutting_down: false,
        }
    }

    fn run(mut self) -> Result<bool, Broken> {
        let receiver = &self.connection.receiver;
        loop {
            let message = if self.dirty.is_empty() {
                receiver.recv().map_err(|_| Broken::Input(CLOSED))?
            } else {
                match receiver.recv_timeout(SETTLE) {
                    Ok(message) => message,
                    Err(e) if e.is_timeout() => {
                        // The editor paused: check what changed.
                        while let Some(key) = self.dirty.pop_first() {
                            self.refresh(key);
                        }
                        continue;
                    }
                    Err(_) => return Err(Broken::Input(CLOSED)),
                }
            };
            match message {
                Message::Request(request) => {
                    let response = self.request(request);
                    self.send(response.into());
                }
                Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                    return Ok(self.shutting_down);
                }
                Message::Notification(n) => self.notification(n),
                // The server asks the editor nothing, so expects no answers.
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) {
        // The writer thread only stops when the editor has gone; the reader then
        // reports that, so a failed send needs no answer of its own.
        let _ = self.connection.sender.send(message);
    }

    fn request(&mut self, request: Request) -> Response {
        if self.shutting_down {
            return Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            );
        }
        match request.method.as_str() {
            lsp_types::request::Shutdown::METHOD => {
                self.shutting_down = true;
                Response::new_ok(request.id, ())
            }
            HoverRequest::METHOD => self.on::<HoverRequest>(request, |s, p| {
                let at = p.text_document_position_params;
                let (folder, file) = s.file(&at.text_document.uri)?;
                navigate::hover(folder, file, at.position)
            }),
            GotoDefinition::METHOD => self.on::<GotoDefinition>(request, |s, p| {
                let at = p.text_document_position_params;
                let (folder, file) = s.file(&at.text_document.uri)?;
                navigate::definition(folder, file, at.position)
            }),
            Completion::METHOD => self.on::<Completion>(request, |s, p| {
                let at = p.text_document_position;
                let by_space = p.context.is_some_and(|c| {
                    c.trigger_kind == CompletionTriggerKind::TRIGGER_CHARACTER
                        && c.trigger_character.as_deref() == Some(" ")
                });
                let uri = &at.text_document.uri;
                // Completion comes with every keystroke: it reads the text as it is
                // now, and the names of the last check, without waiting for a new one.
                let (key, _) = s.key(uri);
                if s.folders.get(&key).is_none_or(|f| f.file(uri).is_none()) {
                    s.refresh(key.clone());
                }
                let folder = s.folders.get(&key)?;
                let file = folder.file(uri)?;
                let text = s.open.get(uri.as_str()).map_or(&file.text, |d| &d.text);
                let items = complete::completion(folder, file, text, at.position, by_space);
                Some(CompletionResponse::Array(items))
            }),
            Formatting::METHOD => self.on::<Formatting>(request, |s, p| {
                let (_, file) = s.file(&p.text_document.uri)?;
                Some(format::edits(file))
            }),
            DocumentSymbolRequest::METHOD => self.on::<DocumentSymbolRequest>(request, |s, p| {
                let (_, file) = s.file(&p.text_document.uri)?;
                Some(DocumentSymbolResponse::Nested(navigate::symbols(file)))
            }),
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("`lawful lsp` does not answer `{}`", request.method),
            ),
        }
    }

    /// Reads a request's parameters and answers it.
    fn on<R: lsp_types::request::Request>(
        &mut self,
        request: Request,
        answer: impl FnOnce(&mut Server<'c>, R::Params) -> R::Result,
    ) -> Response {
        match serde_json::from_value::<R::Params>(request.params) {
            Ok(params) => {
                let result = answer(self, params);
                match serde_json::to_value(result) {
                    Ok(value) => Response::new_ok(request.id, value),
                    Err(e) => Response::new_err(
                        request.id,
                        ErrorCode::InternalError as i32,
                        e.to_string(),
                    ),
                }
            }
            Err(e) => Response::new_err(
                request.id,
                ErrorCode::InvalidParams as i32,
                format!(
                    "the parameters of `{}` are not as the protocol says: {e}",
                    R::METHOD
                ),
            ),
        }
    }

    /// A document's file in its checked folder, checking the folder first if it
    /// changed since.
    fn file(&mut self, uri: &Uri) -> Option<(&Folder, &FileState)> {
        let (key, _) = self.key(uri);
        if !self.watched(&key) {
            // A file of a folder with nothing open: checked afresh for each request.
            self.folders.remove(&key);
        }
        if self.dirty.remove(&key) || !self.folders.contains_key(&key) {
            self.refresh(key.clone());
        }
        let folder = self.folders.get(&key)?;
        Some((folder, folder.file(uri)?))
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return;
                };
                let document = p.text_document;
                let (folder, path) = FolderKey::of(&document.uri);
                self.dirty.insert(folder.clone());
                self.open.insert(
                    document.uri.as_str().to_owned(),
                    OpenDocument {
                        uri: document.uri,
                        path,
                        folder,
                        text: Text::new(document.text),
                        version: document.version,
                    },
                );
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let Some(document) = self.open.get_mut(p.text_document.uri.as_str()) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => document.text.edit(range, &change.text),
                        None => document.text = Text::new(change.text),
                    }
                }
                document.version = p.text_document.version;
                self.dirty.insert(document.folder.clone());
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    if let Some(document) = self.open.get(p.text_document.uri.as_str()) {
                        self.dirty.insert(document.folder.clone());
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = n
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return;
                };
                let Some(document) = self.open.remove(p.text_document.uri.as_str()) else {
                    return;
                };
                if self.watched(&document.folder) {
                    // The others are checked against the file on disk from now on.
                    self.dirty.insert(document.folder);
                } else {
                    self.forget(&document.folder);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                // Rule files changed on disk (a checkout, another program): check
                // the folders that have an open document again.
                let Ok(p) = n.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    DidChangeWatchedFiles::METHOD,
                ) else {
                    return;
                };
                for change in p.changes {
                    let (key, _) = FolderKey::of(&change.uri);
                    if self.watched(&key) {
                        self.dirty.insert(key);
                    }
                }
            }
            // Other notifications (`initialized`, `$/cancelRequest`, settings) need no answer:
            // every request is answered before the next message is read.
            _ => {}
        }
    }

    /// The folder of a document.
    fn key(&self, uri: &Uri) -> (FolderKey, bool) {
        match self.open.get(uri.as_str()) {
            Some(document) => (document.folder.clone(), true),
            None => (FolderKey::of(uri).0, false),
        }
    }

    /// Whether the editor has a document of a folder open.
    fn watched(&self, key: &FolderKey) -> bool {
        self.open.values().any(|d| d.folder == *key)
    }

    /// Checks a folder and publishes what changed (nothing for a folder with no
    /// open document: nothing would clear it).
    fn refresh(&mut self, key: FolderKey) {
        self.dirty.remove(&key);
        let previous = self.folders.remove(&key);
        let folder = Folder::check(&key, &self.open, previous.as_ref());
        if !self.watched(&key) {
            self.folders.insert(key, folder);
            return;
        }
        let current: BTreeSet<&str> = folder.files.iter().map(|f| f.uri.as_str()).collect();
        let gone: Vec<String> = self
            .published
            .iter()
            .filter(|(uri, (k, _, _))| *k == key && !current.contains(uri.as_str()))
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in gone {
            if let Some((_, uri, _)) = self.published.remove(&uri) {
                self.publish(uri, Vec::new(), None);
            }
        }
        for file in &folder.files {
            let last = self.published.get(file.uri.as_str()).map(|(_, _, d)| d);
            // Open documents hear after every check; closed files only when their problems change.
            if file.version.is_none()
                && last.map_or(file.diagnostics.is_empty(), |d| *d == file.diagnostics)
            {
                continue;
            }
            self.published.insert(
                file.uri.as_str().to_owned(),
                (key.clone(), file.uri.clone(), file.diagnostics.clone()),
            );
            self.publish(file.uri.clone(), file.diagnostics.clone(), file.version);
        }
        self.folders.insert(key, folder);
    }

    /// Drops a folder whose documents are all closed, and clears its problems: the
    /// files may change on disk unseen from now on.
    fn forget(&mut self, key: &FolderKey) {
        self.dirty.remove(key);
        self.folders.remove(key);
        let gone: Vec<String> = self
            .published
            .iter()
            .filter(|(_, (k, _, _))| k == key)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in gone {
            if let Some((_, uri, _)) = self.published.remove(&uri) {
                self.publish(uri, Vec::new(), None);
            }
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        self.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into());
    }
}
