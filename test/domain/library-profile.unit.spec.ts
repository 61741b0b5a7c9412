import { libraryProfileDecider, type LibraryProfileEvent, type LibraryProfileFacts } from '../../domain/profile-library/library-profile.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const spec = deciderSpec(libraryProfileDecider);
const facts: LibraryProfileFacts = { sha256: 'a'.repeat(64), blobId: 'a'.repeat(64), size: 822, payloadIdentifier: 'com.example.wifi', payloadUuid: '8C7E4B0A-1111-4222-8333-944455556666', displayName: 'Office Wi-Fi', format: 'xml', signed: false, payloadTypes: ['com.apple.wifi.managed'] };
const uploaded: LibraryProfileEvent = { type: 'LibraryProfileUploaded', data: { profile: facts, uploadedBy: 'admin:alice', uploadedAt: AT } };
const removed: LibraryProfileEvent = { type: 'LibraryProfileRemoved', data: { sha256: facts.sha256, payloadIdentifier: facts.payloadIdentifier, removedBy: 'admin:bob', removedAt: AT } };

describe('library profile decider', () => {
  it('records an upload once: the same bytes again are the same profile', () => {
    spec.given([]).when({ type: 'UploadLibraryProfile', profile: facts, by: 'admin:alice', at: AT }).then([uploaded]);
    spec.given([uploaded]).when({ type: 'UploadLibraryProfile', profile: facts, by: 'admin:bob', at: AT }).thenNothing();
  });

  it('refuses incomplete or oversized facts', () => {
    for (const bad of [{ sha256: 'xyz' }, { size: 0 }, { size: 10_000_000 }, { payloadIdentifier: '' }, { payloadIdentifier: 'a\u0000b' }, { payloadUuid: '' }, { displayName: 'x'.repeat(256) }, { payloadTypes: [''] }, { blobId: '' }]) {
      spec.given([]).when({ type: 'UploadLibraryProfile', profile: { ...facts, ...bad }, by: 'admin:alice', at: AT }).thenThrows('invalid-profile');
    }
  });

  it('removes a profile no group assigns; refuses one that is assigned or unknown; uploads it again after removal', () => {
    spec.given([uploaded]).when({ type: 'RemoveLibraryProfile', sha256: facts.sha256, assignedTo: ['development'], by: 'admin:bob', at: AT }).thenThrows('profile-assigned');
    spec.given([uploaded]).when({ type: 'RemoveLibraryProfile', sha256: facts.sha256, assignedTo: [], by: 'admin:bob', at: AT }).then([removed]);
    spec.given([]).when({ type: 'RemoveLibraryProfile', sha256: facts.sha256, assignedTo: [], by: 'admin:bob', at: AT }).thenThrows('unknown-profile');
    spec.given([uploaded, removed]).when({ type: 'RemoveLibraryProfile', sha256: facts.sha256, assignedTo: [], by: 'admin:bob', at: AT }).thenThrows('unknown-profile');
    spec.given([uploaded, removed]).when({ type: 'UploadLibraryProfile', profile: facts, by: 'admin:alice', at: AT }).then([uploaded]);
  });
});
