//! Errors for user-supplied files (opsdeck.toml, themes, keymaps): always name the file and
//! the line, and say what would be accepted.

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

/// Reads a UTF-8 text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes =
        std::fs::read(path).map_err(|e| FileError::whole(path, format!("cannot read: {e}")))?;
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
