#!/bin/sh
# Makes the private test CA and the leaves it signs (see README.md here).
# Run from tests/certs; needs the openssl CLI. Valid 2025-2125, except
# leaf-expired, whose one day ended in 2020.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/index.txt"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_local]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
[leaf_other]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
authorityKeyIdentifier = keyid
CNF
echo 01 > "$work/serial"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca.key"
openssl req -new -key "$work/ca.key" -subj "/CN=Haul test private CA" -out "$work/ca.csr"
openssl ca -batch -notext -selfsign -config "$work/ca.cnf" -keyfile "$work/ca.key" -extensions ca_ext \
    -startdate 20250101000000Z -enddate 21250101000000Z -in "$work/ca.csr" -out private-ca.pem
leaf() { # name extensions [openssl ca date options]
    name=$1 ext=$2
    shift 2
    openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem"
    openssl pkcs8 -topk8 -nocrypt -in "$work/key.pem" -out "$name.key"
    openssl req -new -key "$name.key" -subj "/CN=$name" -out "$work/$name.csr"
    openssl ca -batch -notext -config "$work/ca.cnf" -cert private-ca.pem -keyfile "$work/ca.key" \
        -extensions "$ext" -in "$work/$name.csr" -out "$name.pem" "$@"
}
leaf leaf-localhost leaf_local -startdate 20250101000000Z -enddate 21250101000000Z
leaf leaf-expired leaf_local -startdate 20200101000000Z -enddate 20200102000000Z
leaf leaf-other-host leaf_other -startdate 20250101000000Z -enddate 21250101000000Z
