//! The Landlock ruleset of the box: read and execute anywhere but the hidden paths, write
//! only in the scratch directory, `/dev/null` and the terminal, no TCP listener, TCP
//! connections only to the allowed ports, and no signal or abstract socket out of the box.

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, PathBeneath,
    PathFd, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, Scope,
};
use std::path::{Path, PathBuf};

/// The newest ABI this build asks for; the kernel's own is used when older.
const ABI_WANTED: ABI = ABI::V7;

/// What the ruleset is built from.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Readable but the hidden paths.
    pub hidden: Vec<PathBuf>,
    /// Readable even inside a hidden path (`[sandbox] readable`).
    pub readable: Vec<PathBuf>,
    /// Writable (the scratch directory).
    pub writable: Vec<PathBuf>,
    /// Readable and writable files (`/dev/null`, the terminal).
    pub devices: Vec<PathBuf>,
    /// TCP ports a connection may go to.
    pub connect_ports: Vec<u16>,
}

/// The paths to grant read access to: every path but the hidden ones and their parents
/// (Landlock grants whole hierarchies, so a parent of a hidden path is opened up one level:
/// its other entries are granted, it is not listable itself).
pub fn readable_roots(hidden: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    expand(Path::new("/"), hidden, &mut out);
    out
}

fn expand(dir: &Path, hidden: &[PathBuf], out: &mut Vec<PathBuf>) {
    if hidden.iter().any(|h| h == dir) {
        return;
    }
    if !hidden.iter().any(|h| h.starts_with(dir)) {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        expand(&e.path(), hidden, out);
    }
}

/// The ruleset, created (its descriptor open) and ready for `restrict_self` in the child.
/// Best effort below [`ABI_WANTED`]: what the kernel cannot enforce is reported by
/// [`super::Layers`], never silently assumed.
pub fn ruleset(rules: &Rules) -> Result<RulesetCreated, String> {
    let abi = ABI_WANTED;
    let err = |e: landlock::RulesetError| format!("landlock: {e}");
    let mut rs = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
        .map_err(err)?
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .map_err(err)?
        .create()
        .map_err(err)?;
    let read: BitFlags<AccessFs> = AccessFs::from_read(abi);
    for root in readable_roots(&rules.hidden) {
        rs = add(rs, &root, read)?;
    }
    for r in &rules.readable {
        rs = add(rs, r, read)?;
    }
    for w in &rules.writable {
        rs = add(rs, w, AccessFs::from_all(abi))?;
    }
    let device = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::IoctlDev;
    for d in &rules.devices {
        rs = add(rs, d, device)?;
    }
    for port in &rules.connect_ports {
        rs = rs
            .add_rule(NetPort::new(*port, AccessNet::ConnectTcp))
            .map_err(err)?;
    }
    Ok(rs)
}

fn add(
    rs: RulesetCreated,
    path: &Path,
    access: BitFlags<AccessFs>,
) -> Result<RulesetCreated, String> {
    // A path that vanished since it was listed (a /proc entry) is simply not granted.
    let Ok(fd) = PathFd::new(path) else {
        return Ok(rs);
    };
    // A file takes only the rights that apply to files.
    let access = if path.is_dir() {
        access
    } else {
        access & AccessFs::from_file(ABI_WANTED)
    };
    rs.add_rule(PathBeneath::new(fd, access))
        .map_err(|e| format!("landlock: {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_path_opens_its_parents_one_level() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::create_dir_all(home.join("work/x")).unwrap();
        std::fs::write(home.join("notes"), "n").unwrap();
        let mut out = Vec::new();
        expand(d.path(), &[home.join(".aws")], &mut out);
        out.sort();
        assert_eq!(out, vec![home.join("notes"), home.join("work")]);
    }
}
