//! Keyed pseudonyms, algorithm `vakt-pseudo/v1` (docs and known answers in the pseudonymisation
//! spec), and the key file.
//!
//! ```text
//! K_d       = HKDF-SHA256(salt = project, IKM = K, info = "vakt-pseudo/v1|" + domain + "|" + id_type)
//! tag       = HMAC-SHA256(K_d, canonical(id_type, value))
//! pseudonym = lowercase base32 (RFC 4648, no padding) of tag[0..10]: 16 characters, 80 bits
//! fingerprint = hex(HMAC-SHA256(K, "vakt-pseudo/v1/key-fingerprint")[0..8])
//! ```
//!
//! A plain hash of an identifier is never offered: a fødselsnummer has so few possible values that
//! an unkeyed hash is reversed by enumeration in seconds. The key never leaves the key file: it is
//! not printed, logged or written anywhere else; outputs carry its fingerprint.

use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// Why a key file or a domain cannot be used. Messages never contain the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("{0}: the key file already exists; vakt never overwrites a key")]
    Exists(String),
    #[error("{0}: cannot read the key file: {1}")]
    Read(String, String),
    #[error("{0}: cannot write the key file: {1}")]
    Write(String, String),
    #[error("{0}: the key file is readable by others (mode {1:o}); run `chmod 600 {0}`")]
    Permissions(String, u32),
    #[error("{0}: not a vakt key file ({1})")]
    Format(String, String),
    #[error("{0}: the key must be 32 bytes, this one has {1}")]
    Length(String, usize),
    #[error("{0}: the fingerprint does not match the key (the file was edited or damaged)")]
    Fingerprint(String),
    #[error("cannot get random bytes from the operating system: {0}")]
    Random(String),
    #[error("{0}: a {1} must be non-empty and hold no `|` or control characters")]
    Name(String, &'static str),
}

/// A loaded key. The key bytes are wiped from memory when it is dropped.
pub struct Key {
    key: Zeroizing<[u8; 32]>,
    pub project: String,
    pub fingerprint: String,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.debug_struct("Key")
            .field("project", &self.project)
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// A pseudonymisation domain (one per recipient): non-empty, without `|` or control characters,
/// since the derivation joins names with `|` and `("a|b","c")` must not equal `("a","b|c")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain(String);

impl Domain {
    /// Checks a domain name.
    pub fn parse(name: &str) -> Result<Domain, KeyError> {
        if vakt_core::pack::valid_derivation_name(name) {
            Ok(Domain(name.to_string()))
        } else {
            Err(KeyError::Name(format!("--domain {name:?}"), "domain"))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// HMAC-SHA256 keyed with `key` of any length. RFC 2104 pads a key shorter than the 64-byte block
/// and hashes a longer one first; doing so here leaves no fallible constructor (and so no silent
/// fallback) anywhere.
fn keyed(key: &[u8]) -> HmacSha256 {
    let mut block = Zeroizing::new([0u8; 64]);
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <HmacSha256 as KeyInit>::new(&hmac::digest::Key::<HmacSha256>::from(*block))
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = keyed(key);
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// HKDF-SHA256 (RFC 5869) with one block of output: extract with the salt, expand with the info.
fn hkdf_32(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let prk = hmac(salt, ikm);
    let mut mac = keyed(&prk[..]);
    mac.update(info);
    mac.update(&[1]);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// The key's fingerprint: the first 8 bytes of HMAC-SHA256(K, "vakt-pseudo/v1/key-fingerprint").
pub fn fingerprint(key: &[u8; 32]) -> String {
    vakt_core::value::text::hex(&hmac(key, b"vakt-pseudo/v1/key-fingerprint")[..8])
}

/// Lower-case RFC 4648 base32 without padding.
pub fn base32_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    base32_lower_into(bytes, &mut out);
    out
}

/// Appends [`base32_lower`]`(bytes)` to `out`.
pub fn base32_lower_into(bytes: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut buffer: u64 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
}

impl Key {
    pub fn from_bytes(key: [u8; 32], project: &str) -> Key {
        let key = Zeroizing::new(key);
        Key {
            fingerprint: fingerprint(&key),
            key,
            project: project.to_string(),
        }
    }

    /// A pseudonymiser for one release domain and id type. The id type's name comes from a loaded
    /// pack, which checked it like a domain.
    pub fn domain(&self, domain: &Domain, id_type: &str) -> Pseudonymiser {
        let info = format!("vakt-pseudo/v1|{}|{id_type}", domain.as_str());
        let kd = hkdf_32(self.project.as_bytes(), &self.key[..], info.as_bytes());
        Pseudonymiser { mac: keyed(&kd[..]) }
    }

    /// Creates a key file with 32 fresh random bytes, mode 0600; never overwrites.
    pub fn generate(path: &Path, project: &str, created: &str) -> Result<Key, KeyError> {
        let shown = path.display().to_string();
        if !vakt_core::pack::valid_derivation_name(project) {
            return Err(KeyError::Name(format!("--project {project:?}"), "project"));
        }
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut key[..]).map_err(|e| KeyError::Random(e.to_string()))?;
        let k = Key::from_bytes(*key, project);
        let text = Zeroizing::new(format!(
            "# vakt pseudonymisation key. Keep it secret, keep it safe, never send it with the data.\nformat = \"vakt-key\"\nversion = 1\nproject = {}\ncreated = \"{created}\"\nkey = \"{}\"\nfingerprint = \"{}\"\n",
            toml_string(project),
            Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&k.key[..])).as_str(),
            k.fingerprint
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError::Exists(shown.clone())
            } else {
                KeyError::Write(shown.clone(), e.to_string())
            }
        })?;
        use std::io::Write;
        f.write_all(text.as_bytes())
            .map_err(|e| KeyError::Write(shown.clone(), e.to_string()))?;
        f.sync_all().map_err(|e| KeyError::Write(shown, e.to_string()))?;
        Ok(k)
    }

    /// Loads a key file: refuses one readable by group or others, a wrong length, or a fingerprint
    /// that does not match.
    pub fn load(path: &Path) -> Result<Key, KeyError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| KeyError::Read(shown.clone(), e.to_string()))?;
        if !meta.is_file() {
            return Err(KeyError::Format(shown, "it is not a regular file".into()));
        }
        // A key file is a few hundred bytes: read at most a little more, whatever the file holds.
        let mut bytes = Zeroizing::new(Vec::new());
        {
            use std::io::Read;
            let f = std::fs::File::open(path).map_err(|e| KeyError::Read(shown.clone(), e.to_string()))?;
            f.take(64 * 1024)
                .read_to_end(&mut bytes)
                .map_err(|e| KeyError::Read(shown.clone(), e.to_string()))?;
        }
        let text = Zeroizing::new(String::from_utf8(std::mem::take(&mut *bytes)).map_err(|_| {
            KeyError::Format(
                shown.clone(),
                "it is not text; a workbook or another file was given as the key".into(),
            )
        })?);
        #[derive(serde::Deserialize)]
        struct File {
            format: String,
            version: i64,
            project: String,
            key: String,
            fingerprint: String,
        }
        // The parser's own message could quote the line holding the key: say only what is wrong.
        let f: File = toml::from_str(&text)
            .map_err(|_| KeyError::Format(shown.clone(), "it is not the TOML `vakt keygen` writes".into()))?;
        if f.format != "vakt-key" || f.version != 1 {
            return Err(KeyError::Format(
                shown,
                format!(
                    "format `{}` version {}; expected vakt-key version 1",
                    f.format, f.version
                ),
            ));
        }
        let secret = Zeroizing::new(f.key);
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(secret.trim())
                .map_err(|_| KeyError::Format(shown.clone(), "the key is not base64".into()))?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length(shown.clone(), bytes.len()))?;
        if !vakt_core::pack::valid_derivation_name(&f.project) {
            return Err(KeyError::Format(
                shown,
                "its project name holds `|` or control characters".into(),
            ));
        }
        let k = Key::from_bytes(key, &f.project);
        if k.fingerprint != f.fingerprint {
            return Err(KeyError::Fingerprint(shown));
        }
        // Only a file that is a key is judged by who may read it: another file given as the key is
        // first told that it is not one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions(shown, mode));
            }
        }
        Ok(k)
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Pseudonyms for one domain and id type: the HMAC keyed once with the derived key.
pub struct Pseudonymiser {
    mac: HmacSha256,
}

impl Pseudonymiser {
    /// The pseudonym of a canonical value.
    pub fn pseudonym(&self, canonical: &str) -> String {
        base32_lower(&self.tag(canonical)[..10])
    }

    /// The first 10 bytes of the tag, the pseudonym's 80 bits.
    pub fn tag(&self, canonical: &str) -> [u8; 10] {
        let mut m = self.mac.clone();
        m.update(canonical.as_bytes());
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 10];
        out.copy_from_slice(&full[..10]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_key() -> Key {
        Key::from_bytes([0x42; 32], "survey-2009")
    }

    #[test]
    fn known_answers_of_the_spec() {
        let k = spec_key();
        let d = |name: &str| Domain::parse(name).unwrap();
        assert_eq!(k.fingerprint, "1f81b9bf9a6fa502");
        assert_eq!(
            k.domain(&d("release-A"), "patient").pseudonym("31129956715"),
            "nr6qnziilpsf65yt"
        );
        assert_eq!(
            k.domain(&d("release-B"), "patient").pseudonym("31129956715"),
            "ov7sd64qm65tafln"
        );
        assert_eq!(
            k.domain(&d("release-A"), "patient").pseudonym("EPJ-01000"),
            "5t2neuixya4vztrf"
        );
        assert_eq!(
            k.domain(&d("release-A"), "hpr").pseudonym("001234567"),
            "ebfbrh6cslj3pwsv"
        );
    }

    #[test]
    fn hmac_of_any_key_length_matches_the_rfc_4231_vectors() {
        // RFC 4231 test case 2 (short key) and 6 (a key longer than the block).
        let tag = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            vakt_core::value::text::hex(&tag[..]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let tag = hmac(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(
            vakt_core::value::text::hex(&tag[..]),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn ambiguous_domains_are_refused() {
        for bad in ["", "a|b", "x\ny", "tab\there"] {
            assert!(Domain::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Domain::parse("release-2026").is_ok());
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Key::generate(&dir.path().join("k"), "a|b", "t"),
            Err(KeyError::Name(..))
        ));
    }

    #[test]
    fn base32_is_rfc4648() {
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32_lower(b""), "");
    }

    #[test]
    fn key_files_round_trip_and_refuse_what_they_must() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.toml");
        let k = Key::generate(&p, "survey-2009", "2026-11-26T00:00:00Z").unwrap();
        assert!(matches!(Key::generate(&p, "x", "t"), Err(KeyError::Exists(_))));
        let text = std::fs::read_to_string(&p).unwrap();
        let loaded = Key::load(&p).unwrap();
        assert_eq!(loaded.fingerprint, k.fingerprint);
        let d = Domain::parse("d").unwrap();
        assert_eq!(
            loaded.domain(&d, "patient").pseudonym("x"),
            k.domain(&d, "patient").pseudonym("x")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = Key::load(&p).unwrap_err().to_string();
            assert!(e.contains("readable by others"), "{e}");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let key_line = text.lines().find(|l| l.starts_with("key = ")).unwrap();
        std::fs::write(&p, text.replace(&k.fingerprint, "0000000000000000")).unwrap();
        let e = Key::load(&p).unwrap_err().to_string();
        assert!(e.contains("fingerprint does not match"), "{e}");
        assert!(!e.contains(key_line), "never the key");
        std::fs::write(&p, text.replace(key_line, "key = \"AAAA\"")).unwrap();
        assert!(matches!(Key::load(&p), Err(KeyError::Length(_, 3))));
    }
}
