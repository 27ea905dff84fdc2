//! Files the user gives opsdeck (opsdeck.toml, themes, keymaps, runbooks): read with a size
//! limit, never from a FIFO or device, and errors that always name the file and the line and
//! say what would be accepted.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    pub path: PathBuf,
    /// 1-based; `None` when the problem is the file as a whole (missing, unreadable).
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl FileError {
    pub fn at(path: &Path, src: &str, offset: usize, message: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            line: Some(line_of(src, offset)),
            message: message.into(),
        }
    }

    pub fn whole(path: &Path, message: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }

    /// Converts a TOML/serde error (syntax, unknown field, wrong type) into one line that names
    /// the file and line, dropping the multi-line source excerpt the toml crate adds.
    pub fn from_toml(path: &Path, src: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().replace('\n', " ");
        match err.span() {
            Some(span) => FileError::at(path, src, span.start, message),
            None => FileError::whole(path, message),
        }
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Largest opsdeck.toml, theme or keymap read (4 MiB): a bigger one is a mistake.
pub const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// Reads at most `limit` bytes of a regular file. FIFOs, devices, sockets and directories
/// are refused before anything is opened (a FIFO would block start-up forever).
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let meta =
        std::fs::metadata(path).map_err(|e| FileError::whole(path, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        let what = {
            use std::os::unix::fs::FileTypeExt;
            let t = meta.file_type();
            if t.is_dir() {
                "a directory"
            } else if t.is_fifo() {
                "a FIFO"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else if t.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        };
        return Err(FileError::whole(
            path,
            format!("is {what}, not a regular file; give the path of a file"),
        ));
    }
    if meta.len() > limit {
        return Err(FileError::whole(
            path,
            format!(
                "{} bytes is larger than the {} MiB allowed",
                meta.len(),
                limit >> 20
            ),
        ));
    }
    let f = std::fs::File::open(path)
        .map_err(|e| FileError::whole(path, format!("cannot read: {e}")))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The size may change between the check and the read: never read past the limit.
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::whole(path, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(FileError::whole(
            path,
            format!("larger than the {} MiB allowed", limit >> 20),
        ));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file (at most [`MAX_CONFIG_BYTES`]), naming it in the error.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = read_bytes(path, MAX_CONFIG_BYTES)?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = line_of(
            std::str::from_utf8(&e.as_bytes()[..upto]).unwrap_or(""),
            upto,
        );
        FileError {
            path: path.to_path_buf(),
            line: Some(line),
            message: "file is not valid UTF-8".into(),
        }
    })
}
