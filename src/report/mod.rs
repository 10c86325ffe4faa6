//! Reports made from the data map: Markdown, CSV, JSON, a self-contained HTML page,
//! a record of processing activities (GDPR Art. 30) with the CCPA lists, and a Fides
//! system manifest. The engine computes the map ([`crate::map`]); these write it.

mod csv;
mod fides;
mod html;
mod markdown;
mod names;
mod ropa;
mod sources;
mod timeline;

use crate::Policy;
use crate::map::{DataMap, MapError};

pub use fides::manifest as fides_manifest;
pub use names::Names;
pub use ropa::{Ccpa, Record, record};
pub use sources::{Sources, SourcesError};
pub use timeline::{Change, Timeline, timeline};

/// What `lawful map` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Tables to read.
    Markdown,
    /// `{"version", "uses"}`.
    Json,
    /// One row per use and recipient.
    Csv,
    /// One self-contained page for every version.
    Html,
    /// The record of processing activities and the CCPA lists, in Markdown.
    Ropa,
    /// The same, as JSON.
    RopaJson,
    /// The CCPA lists alone, in Markdown.
    Ccpa,
    /// The CCPA lists alone, as JSON.
    CcpaJson,
    /// A Fides system manifest, in YAML.
    Fides,
}

impl Format {
    /// Every format by its name on the command line.
    pub const NAMES: [(&'static str, Format); 9] = [
        ("markdown", Format::Markdown),
        ("json", Format::Json),
        ("csv", Format::Csv),
        ("html", Format::Html),
        ("ropa", Format::Ropa),
        ("ropa-json", Format::RopaJson),
        ("ccpa", Format::Ccpa),
        ("ccpa-json", Format::CcpaJson),
        ("fides", Format::Fides),
    ];

    /// The format named `name`, or a message with the nearest name.
    pub fn from_name(name: &str) -> Result<Format, String> {
        Format::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names = Format::NAMES.map(|(n, _)| n);
                let hint = lawful_core::suggest::suggest(name, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "unknown format `{name}`{hint}; the formats are {}",
                    names.join(", ")
                )
            })
    }
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The map could not be made.
    #[error(transparent)]
    Map(#[from] MapError),
    /// JSON or YAML could not be written.
    #[error("cannot write the report: {0}")]
    Write(String),
}

/// Writes the report `format` names for a version (the newest for `None`); the
/// HTML page covers every version and uses `sources` for the rules' and the
/// policy's text.
pub fn render(
    policy: &Policy,
    version: Option<&str>,
    format: Format,
    sources: Option<&Sources>,
) -> Result<String, ReportError> {
    let json = |value: &dyn erased::Json| value.pretty().map_err(ReportError::Write);
    let map = || policy.data_map(version);
    match format {
        Format::Html => {
            // The page holds every version; `--version` chooses the one it opens on.
            let selected = map()?.version;
            html::page(policy, &selected, sources)
        }
        Format::Markdown => {
            let map = map()?;
            Ok(markdown::map(&map, &Names::of(policy, &map)))
        }
        Format::Json => json(&map()?),
        Format::Csv => Ok(csv::map(&map()?)),
        Format::Ropa => {
            let map = map()?;
            Ok(ropa::markdown(&record(&map, &Names::of(policy, &map))))
        }
        Format::RopaJson => {
            let map = map()?;
            json(&record(&map, &Names::of(policy, &map)))
        }
        Format::Ccpa => {
            let map = map()?;
            Ok(ropa::ccpa_only(&record(&map, &Names::of(policy, &map))))
        }
        Format::CcpaJson => {
            let map = map()?;
            let record = record(&map, &Names::of(policy, &map));
            /// `{"version", "ccpa"}`, in that order.
            #[derive(serde::Serialize)]
            struct Lists<'r> {
                version: &'r str,
                ccpa: &'r ropa::Ccpa,
            }
            json(&Lists {
                version: &record.version,
                ccpa: &record.ccpa,
            })
        }
        Format::Fides => {
            let map = map()?;
            yaml_serde::to_string(&fides::manifest(&map, &Names::of(policy, &map)))
                .map_err(|e| ReportError::Write(e.to_string()))
        }
    }
}

/// Pretty JSON of anything serialisable, behind a trait object.
mod erased {
    /// A value written as pretty JSON, ending with a line break.
    pub(super) trait Json {
        fn pretty(&self) -> Result<String, String>;
    }

    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> Result<String, String> {
            serde_json::to_string_pretty(self)
                .map(|mut s| {
                    s.push('\n');
                    s
                })
                .map_err(|e| e.to_string())
        }
    }
}

/// The data maps of every version, oldest first.
pub fn every_map(policy: &Policy) -> Result<Vec<DataMap>, MapError> {
    policy
        .versions()
        .iter()
        .map(|v| policy.data_map(Some(&v.name)))
        .collect()
}
