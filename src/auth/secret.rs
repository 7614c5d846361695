//! The signing secret of a development or test install. The placeholder shipped in
//! config/default.toml is public (anyone who reads the repository could forge tokens with it),
//! so it never signs anything: outside production, a placeholder or empty `auth.jwt_secret`
//! is replaced by a random secret generated on first start and kept in
//! `auth.generated_secret_file` (mode 0600), so tokens survive a restart. Production refuses
//! to start without a real secret (`Settings::validate`).

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

/// Random bytes in a generated secret.
const SECRET_BYTES: usize = 48;

/// The secret kept in `path`, made (with its folder) when missing. Two processes starting at
/// once agree: the secret is written to a private temporary file and hard-linked into place,
/// which fails when another process got there first; then its secret is read.
pub fn load_or_create(path: &Path) -> Result<SecretString, String> {
    if let Some(secret) = read(path)? {
        return Ok(secret);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| format!("getrandom: {e}"))?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    write_private(&tmp, &secret)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => tracing::info!(file = %path.display(), "generated a signing secret"),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("{}: {e}", path.display())),
    }
    read(path)?.ok_or_else(|| format!("{}: empty signing secret", path.display()))
}

/// The secret in `path`; None when there is no such file.
fn read(path: &Path) -> Result<Option<SecretString>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => {
            Ok(Some(SecretString::from(text.trim().to_string())))
        }
        Ok(_) => Err(format!(
            "{}: the signing secret is shorter than 32 characters",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn a_secret_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("jwt-secret");
        let first = load_or_create(&path).unwrap();
        assert!(first.expose_secret().len() >= 64);
        assert_ne!(first.expose_secret(), crate::config::PLACEHOLDER_SECRET);
        let again = load_or_create(&path).unwrap();
        assert_eq!(
            first.expose_secret(),
            again.expose_secret(),
            "a restart reuses it"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = load_or_create(&dir.path().join("elsewhere")).unwrap();
        assert_ne!(first.expose_secret(), other.expose_secret());
        // A file too short to be a secret is refused, not used.
        std::fs::write(dir.path().join("short"), "abc").unwrap();
        assert!(load_or_create(&dir.path().join("short")).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path().join("data")).unwrap().count(),
            1
        );
    }
}
