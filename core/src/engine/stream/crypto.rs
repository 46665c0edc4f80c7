//! AES-128-CBC with PKCS7 padding, as HLS encrypts whole segments.

use super::StreamError;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};

type Decryptor = cbc::Decryptor<aes::Aes128>;
type Encryptor = cbc::Encryptor<aes::Aes128>;

/// Decrypts one segment of `url` (for the error) with `key` and `iv`.
pub fn decrypt_aes128(url: &str, key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, StreamError> {
    let decrypt_error = |detail: String| StreamError::Decrypt { url: url.into(), detail };
    let key: &[u8; 16] =
        key.try_into().map_err(|_| decrypt_error(format!("the key has {} bytes, not 16", key.len())))?;
    Decryptor::new(key.into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(data)
        .map_err(|_| decrypt_error("bad padding".into()))
}

/// Encrypts as a packager would (tests and benchmarks make their fixtures with it).
pub fn encrypt_aes128(key: &[u8; 16], iv: &[u8; 16], data: &[u8]) -> Vec<u8> {
    Encryptor::new(key.into(), iv.into()).encrypt_padded_vec::<Pkcs7>(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_a_wrong_key() {
        let (key, iv) = ([7u8; 16], [9u8; 16]);
        for len in [0usize, 1, 15, 16, 17, 188 * 7] {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = encrypt_aes128(&key, &iv, &plain);
            assert_eq!(sealed.len() % 16, 0);
            assert_eq!(decrypt_aes128("u", &key, &iv, &sealed).expect("decrypts"), plain, "{len}");
        }
        assert_eq!(decrypt_aes128("u", &[1; 15], &iv, &[0; 16]).expect_err("short key").code(), "stream_decrypt");
    }
}
