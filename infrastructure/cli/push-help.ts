/** Help for `mdm push` and each of its subcommands. */

const OVERVIEW = `Usage: mdm push <csr|upload|show> [options]

The MDM push certificate: Apple's APNs certificate that lets the server wake devices. It is issued
at identity.apple.com (Apple Push Certificates Portal), lasts a year, and is kept in
<MDM_DATA_DIR>/push. MDM_PUSH_CERT_FILE/MDM_PUSH_KEY_FILE or MDM_PUSH_P12_FILE, when set, are used
instead. Works while the server runs; restart the server after an upload.

  mdm push csr      Create a key and a certificate request to submit to Apple.
  mdm push upload   Install the certificate Apple issued, after checking it.
  mdm push show     Print the push certificate in use.

Renew every year with the same Apple ID, choosing "Renew" for the existing certificate: a new
certificate has another topic, and devices can only be woken under the topic they enrolled with.

Run 'mdm push <subcommand> --help' for its options.
`;

const CSR = `Usage: mdm push csr [--out FILE] [--force] [--common-name NAME] [--email ADDRESS] [--country CC]
                   [--vendor-cert FILE --vendor-key FILE [--vendor-chain FILE]...]

Creates a new RSA 2048 key, kept on this server in <MDM_DATA_DIR>/push/pending.key (0600, encrypted
with MDM_CA_KEY_PASSPHRASE when set; never printed), and a certificate signing request for it (PEM),
written to --out FILE or stdout. The current push certificate keeps working until the certificate
Apple issues for this request is uploaded with 'mdm push upload'.

  --out FILE           where to write the request (default: stdout)
  --force              replace the key of a request not yet uploaded (its certificate will no
                       longer be installable)
  --common-name NAME   subject CN of the request (default "MDM Push Certificate")
  --email ADDRESS      subject e-mail address, as Keychain Access writes it
  --country CC         subject country, two letters

With an MDM vendor certificate it writes instead the vendor-signed request Apple's Push
Certificates Portal takes (a base64-encoded plist: PushCertRequestCSR, PushCertCertificateChain,
PushCertSignature):
  --vendor-cert FILE   the MDM vendor certificate (PEM or DER, as Apple's developer site gives it)
  --vendor-key FILE    its private key, PEM (if encrypted: passphrase from $MDM_VENDOR_KEY_PASSPHRASE)
  --vendor-chain FILE  Apple's WWDR intermediate, then Apple's root (PEM or DER; repeat the option
                       or put both in one PEM file): the portal wants the chain up to the root

Secrets are read from the environment, never from the command line (which other users can see).
`;

const UPLOAD = `Usage: mdm push upload FILE [--allow-topic-change]
       mdm push upload --p12 FILE [--allow-topic-change]

Installs the certificate Apple issued as the push certificate, in <MDM_DATA_DIR>/push (push.pem and
push.key, 0600), after checking that:
  - it belongs to the key of the pending request ('mdm push csr') or to the current push key;
  - it is an MDM push certificate (subject UID = topic) and valid now (an expired one is refused);
  - its topic is the one in use (the current certificate's, else the last one installed).
A certificate for another topic is refused: devices can only be woken under the topic they
enrolled with, so every enrolled device would be orphaned. Renew the existing certificate instead.

  FILE                  the certificate, PEM or DER
  --p12 FILE            a PKCS#12 bundle with the certificate and its key instead (password from
                        $MDM_IMPORT_P12_PASSWORD)
  --allow-topic-change  install a certificate for another topic anyway: every device must re-enroll

The installation is recorded as a PushCertificateInstalled event (topic, serial, SHA-256, validity,
who, when). A running server keeps the certificate it started with: restart it to use the new one.
If MDM_PUSH_* is set, the server uses those files instead until they are unset.
`;

const SHOW = `Usage: mdm push show

Prints the push certificate the server uses (or will use at its next start): topic, subject,
serial, SHA-256, validity, days left and where it comes from (MDM_PUSH_* or the data directory);
whether a request is pending; and the last recorded installation. Exit code 1 when there is none.
`;

export function pushHelp(args: readonly string[] = []): string {
  switch (args[0]) {
    case 'csr':
      return CSR;
    case 'upload':
      return UPLOAD;
    case 'show':
      return SHOW;
    default:
      return OVERVIEW;
  }
}
