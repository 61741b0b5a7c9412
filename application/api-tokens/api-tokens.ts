import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { apiTokenDecider, apiTokenStreamId, apiTokenUsable, isApiRole, type ApiRole, type ApiTokenEvent, type ApiTokenState } from '../../domain/api-token/api-token.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';

export type { ApiRole } from '../../domain/api-token/api-token.js';

/** Who a bearer token speaks for. */
export interface ApiPrincipal {
  readonly tokenId: string;
  readonly role: ApiRole;
  readonly name: string;
  readonly username?: string;
}

/** What `list` shows of a token: never its secret, nor the secret's hash. */
export interface ApiTokenSummary extends ApiPrincipal {
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
}

export interface CreateApiToken {
  readonly role: ApiRole;
  readonly name: string;
  readonly username?: string;
  readonly expiresInDays?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** `mdm_<32 hex>_<43 base64url>`: the id is hex, so the secret may itself contain `_`. */
const TOKEN = /^mdm_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const TOKEN_ID = /^[0-9a-f]{32}$/;
const STREAM_PREFIX = apiTokenStreamId('');
const PAGE = 1000;
/** How long a verified token is trusted without reading its stream again: a revocation made by another process takes at most this long. */
export const API_TOKEN_CACHE_MS = 10_000;
const CACHE_LIMIT = 10_000;

interface CachedToken {
  readonly principal: ApiPrincipal;
  readonly secretHash: Buffer;
  readonly expiresAt?: string;
  readonly until: number;
}

/**
 * Bearer tokens for the admin API (`mdm_<id>_<secret>`), recorded in the event store so a token the
 * CLI makes works at once on a running server. The secret is shown once; only its hash is kept.
 */
export class ApiTokens {
  private readonly cache = new Map<string, CachedToken>();
  /** Tokens this instance revoked: refused even when an authentication that began before the revocation caches them. Revocations are rare, so this stays small. */
  private readonly revokedHere = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly cacheMs: number = API_TOKEN_CACHE_MS,
  ) {}

  async create(request: CreateApiToken, actor: Actor): Promise<{ tokenId: string; token: string; expiresAt?: string }> {
    if (!isApiRole(request.role)) throw new DomainError('invalid-role', `unknown role ${JSON.stringify(request.role)}`);
    const days = request.expiresInDays;
    if (days !== undefined && !(Number.isFinite(days) && days > 0 && days <= 3660)) throw new DomainError('invalid-token', 'a token expires within 1 to 3660 days');
    const tokenId = randomBytes(16).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = days === undefined ? undefined : new Date(now.getTime() + days * 86_400_000).toISOString();
    await handleCommand(this.store, apiTokenDecider, apiTokenStreamId(tokenId), {
      commandId: randomUUID(),
      command: {
        type: 'CreateApiToken', tokenId, role: request.role, name: request.name,
        ...(request.username !== undefined ? { username: request.username } : {}),
        secretHash: sha256(secret), createdBy: `${actor.kind}:${actor.id}`,
        ...(expiresAt ? { expiresAt } : {}), at: now.toISOString(),
      },
      actor,
      occurredAt: now.toISOString(),
    });
    return { tokenId, token: `mdm_${tokenId}_${secret}`, ...(expiresAt ? { expiresAt } : {}) };
  }

  /** The principal a token speaks for; undefined for a malformed, unknown, wrong, revoked or expired one (no reason given). */
  async authenticate(bearer: string): Promise<ApiPrincipal | undefined> {
    const match = TOKEN.exec(bearer);
    if (!match) return undefined;
    const [, tokenId, secret] = match as unknown as [string, string, string];
    if (this.revokedHere.has(tokenId)) return undefined;
    const presented = createHash('sha256').update(secret, 'utf8').digest();
    const now = this.clock.now();
    const cached = this.cache.get(tokenId);
    if (cached && cached.until > now.getTime()) {
      if (!timingSafeEqual(cached.secretHash, presented)) return undefined;
      return cached.expiresAt === undefined || cached.expiresAt > now.toISOString() ? cached.principal : undefined;
    }
    this.cache.delete(tokenId);
    const state = await this.state(tokenId);
    const created = state.created;
    if (!created) return undefined;
    const recorded = Buffer.from(created.secretHash, 'hex');
    if (!timingSafeEqual(recorded, presented) || !apiTokenUsable(state, now.toISOString()) || this.revokedHere.has(tokenId)) return undefined;
    const principal: ApiPrincipal = { tokenId, role: created.role, name: created.name, ...(created.username !== undefined ? { username: created.username } : {}) };
    // Only verified tokens are cached, so guessing ids cannot fill the cache.
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tokenId, { principal, secretHash: recorded, ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}), until: now.getTime() + this.cacheMs });
    return principal;
  }

  /** Revokes a token; false when it was revoked before. Takes effect at once on this instance. */
  async revoke(tokenId: string, actor: Actor): Promise<boolean> {
    if (!TOKEN_ID.test(tokenId)) throw new DomainError('unknown-token', `no api token ${tokenId}`);
    const at = this.clock.now().toISOString();
    const result = await handleCommand(this.store, apiTokenDecider, apiTokenStreamId(tokenId), {
      commandId: randomUUID(),
      command: { type: 'RevokeApiToken', tokenId, revokedBy: `${actor.kind}:${actor.id}`, at },
      actor,
      occurredAt: at,
    });
    this.revokedHere.add(tokenId);
    this.cache.delete(tokenId);
    return result.events.length > 0;
  }

  /** Every token ever created, oldest first, revoked ones included. */
  async list(): Promise<ApiTokenSummary[]> {
    const states = new Map<string, ApiTokenState>();
    let after: number | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: PAGE });
      for (const e of page) {
        if (!e.streamId.startsWith(STREAM_PREFIX)) continue;
        const id = e.streamId.slice(STREAM_PREFIX.length);
        states.set(id, apiTokenDecider.evolve(states.get(id) ?? apiTokenDecider.initialState(), { type: e.type, data: e.data } as ApiTokenEvent));
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.position;
    }
    const summaries: ApiTokenSummary[] = [];
    for (const [tokenId, s] of states) {
      const c = s.created;
      if (!c) continue;
      summaries.push({
        tokenId, role: c.role, name: c.name, ...(c.username !== undefined ? { username: c.username } : {}),
        createdBy: c.createdBy, createdAt: c.createdAt, ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
        ...(s.revoked ? { revokedAt: s.revoked.revokedAt, revokedBy: s.revoked.revokedBy } : {}),
      });
    }
    return summaries;
  }

  private async state(tokenId: string): Promise<ApiTokenState> {
    const events = await this.store.readStream(apiTokenStreamId(tokenId));
    return events.reduce((st, e) => apiTokenDecider.evolve(st, { type: e.type, data: e.data } as ApiTokenEvent), apiTokenDecider.initialState());
  }
}
