/** Help for `mdm policy` and each of its subcommands. */

const RULES = `Rules are a JSON array, at most one rule of each type:
  {"type":"passcode-required"}
  {"type":"hardware-encryption","caps":3}     HardwareEncryptionCaps bits required (1 block-level,
                                              2 file-level, 3 both; default 3). Macs: FileVault on.
  {"type":"minimum-os-version","version":"17.4"}
  {"type":"required-profiles","identifiers":["com.example.wifi"]}   by PayloadIdentifier
  {"type":"forbidden-profiles","identifiers":["com.example.vpn"]}
  {"type":"required-apps","identifiers":["com.example.app"]}        by bundle identifier
  {"type":"maximum-days-since-seen","days":7}
  {"type":"certificates-expiring","withinDays":30}  fails while a certificate expires within 30 days
  {"type":"roaming-off"}                      both kinds; or {"type":"roaming-off","data":true}
`;

const OVERVIEW = `Usage: mdm policy <define|change|retire|list|show> [arguments] [--json]

Compliance policies: rules every device in their scope must meet (passcode, encryption, OS version,
profiles, apps, recent contact, certificates, roaming). A device's compliance is worked out when it
is asked for, from its latest reports. Works while the server runs.

  mdm policy define ID --name NAME (--rules JSON | --rules-file FILE) [--group G]... [--description TEXT]
  mdm policy change ID [--name NAME] [--description TEXT] [--rules JSON | --rules-file FILE]
                       [--group G... | --all-devices]
  mdm policy retire ID          The policy no longer applies; its id stays taken.
  mdm policy list [--retired]   Policies in force (with --retired: retired ones too).
  mdm policy show ID            A policy's rules, scope and history.

  ID       lower-case letters, digits and "-" (e.g. baseline, ios-minimum)
  --json   machine-readable output

${RULES}
Run 'mdm policy <subcommand> --help' for its options.
`;

const DEFINE = `Usage: mdm policy define ID --name NAME (--rules JSON | --rules-file FILE) [--group G]...
                          [--description TEXT] [--json]

Defines a compliance policy. Defining it again with the same content changes nothing; with other
content it is refused (use 'mdm policy change').

  --name NAME          what people call it, up to 100 characters
  --rules JSON         the rules, as a JSON array (see below)
  --rules-file FILE    the same, read from a file
  --group G            the policy concerns the devices of group G (members, or enrolled into it);
                       repeat for several groups. Without --group: every enrolled device.
  --description TEXT   up to 512 characters on one line
  --json               print {"changed": ..., "policy": ...}

${RULES}`;

const CHANGE = `Usage: mdm policy change ID [--name NAME] [--description TEXT] [--rules JSON | --rules-file FILE]
                          [--group G... | --all-devices] [--json]

Changes a policy; what is not given stays as it is. New rules replace all the rules. A change of
the rules or the scope starts the policy's effective time again (compliance "since" times are never
earlier); a new name or description does not. A change to the same content records nothing.

  --name NAME          a new name
  --description TEXT   a new description ('' removes it)
  --rules JSON         the new rules (JSON array; see 'mdm policy define --help')
  --rules-file FILE    the same, read from a file
  --group G            the new scope: these groups (repeat for several)
  --all-devices        the new scope: every enrolled device
  --json               print {"changed": ..., "policy": ...}
`;

const RETIRE = `Usage: mdm policy retire ID [--json]

Retires a policy: devices are no longer held to it. Retiring is final and the id stays taken, so
that a policy's history never mixes two different policies; define a new one under another id.
`;

const LIST = `Usage: mdm policy list [--retired] [--json]

Lists the policies in force: id, name, number of rules, scope, revision and since when the current
rules apply.

  --retired   include retired policies
  --json      print the policies as a JSON array
`;

const SHOW = `Usage: mdm policy show ID [--json]

Prints a policy: name, description, scope, each rule, its revision, who defined it and when, and
since when its current rules apply. Exit code 1 when there is no such policy.

  --json   print the policy as JSON
`;

export function policyHelp(args: readonly string[] = []): string {
  switch (args[0]) {
    case 'define':
      return DEFINE;
    case 'change':
      return CHANGE;
    case 'retire':
      return RETIRE;
    case 'list':
      return LIST;
    case 'show':
      return SHOW;
    default:
      return OVERVIEW;
  }
}
