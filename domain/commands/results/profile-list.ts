import type { DataDigest } from './parse-shape.js';
import { arrayOf, boolean, data, dictionary, integer, text, type DictionaryShape } from './shape.js';

export type ProfilePayload = {
  readonly PayloadType: string;
  readonly PayloadIdentifier: string;
  readonly PayloadVersion?: number;
  readonly PayloadUUID?: string;
  readonly PayloadDisplayName?: string;
  readonly PayloadDescription?: string;
  readonly PayloadOrganization?: string;
};

export type ProfileListItem = {
  readonly PayloadIdentifier: string;
  readonly PayloadUUID: string;
  readonly PayloadVersion?: number;
  readonly PayloadDisplayName?: string;
  readonly PayloadOrganization?: string;
  readonly PayloadDescription?: string;
  readonly PayloadRemovalDisallowed?: boolean;
  readonly HasRemovalPasscode?: boolean;
  readonly IsEncrypted?: boolean;
  /** The signer's certificate chain, leaf first, as digests. */
  readonly SignerCertificates?: DataDigest[];
  readonly IsManaged?: boolean;
  readonly Source?: string;
  readonly PayloadContent?: ProfilePayload[];
};

export type ProfileListResult = { readonly requestType: 'ProfileList'; readonly ProfileList: ProfileListItem[]; readonly truncated?: true };

const name = text(255);

const PAYLOAD = dictionary(
  {
    PayloadType: name,
    PayloadVersion: integer,
    PayloadIdentifier: name,
    PayloadUUID: name,
    PayloadDisplayName: name,
    PayloadDescription: text(),
    PayloadOrganization: name,
  },
  ['PayloadType', 'PayloadIdentifier'],
);

export const PROFILE_LIST_REPORT: DictionaryShape = dictionary(
  {
    ProfileList: arrayOf(
      dictionary(
        {
          PayloadUUID: name,
          PayloadIdentifier: name,
          PayloadVersion: integer,
          PayloadDisplayName: name,
          PayloadOrganization: name,
          PayloadDescription: text(),
          PayloadRemovalDisallowed: boolean,
          HasRemovalPasscode: boolean,
          IsEncrypted: boolean,
          SignerCertificates: arrayOf(data, 10, 'keep'),
          IsManaged: boolean,
          Source: name,
          PayloadContent: arrayOf(PAYLOAD, 500, 'PayloadIdentifier'),
        },
        ['PayloadIdentifier', 'PayloadUUID'],
      ),
      1000,
      'PayloadIdentifier',
    ),
  },
  ['ProfileList'],
);
