//! Files in the XDG state dir that outlive a session: remembered placeholder values
//! (`values.json`). The cockpit asks for writes with an effect; reading happens at start.

use std::collections::BTreeMap;
use std::path::Path;

/// `values.json`: `{"runbook path": {"NAME": "value"}}`, written atomically. Secret values
/// never reach it (the cockpit filters them before asking).
pub fn save_values(
    path: &Path,
    values: &BTreeMap<(String, String), String>,
) -> std::io::Result<()> {
    let mut doc: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for ((rb, name), v) in values {
        doc.entry(rb.as_str())
            .or_default()
            .insert(name.as_str(), v.as_str());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(tmp, path)
}

/// Reads `values.json`; a missing or unreadable file means nothing remembered.
pub fn load_values(path: &Path) -> BTreeMap<(String, String), String> {
    let Ok(bytes) = std::fs::read(path) else {
        return BTreeMap::new();
    };
    let Ok(doc) = serde_json::from_slice::<BTreeMap<String, BTreeMap<String, String>>>(&bytes)
    else {
        return BTreeMap::new();
    };
    doc.into_iter()
        .flat_map(|(rb, m)| m.into_iter().map(move |(k, v)| ((rb.clone(), k), v)))
        .collect()
}
