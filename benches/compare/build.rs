//! Records the version of cedar-policy the comparison was built with, from Cargo.lock.
fn main() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
        .unwrap_or_default();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"cedar-policy\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| "?".to_owned());
    println!("cargo::rustc-env=CEDAR_VERSION={version}");
    println!("cargo::rerun-if-changed=../../Cargo.lock");
}
