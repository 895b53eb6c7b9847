import type { SigningKeyRecord } from '../directory/directory-store.js';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS } from '../token/verify-access-token.js';
import { isKeyPublished, newestKey } from './key-selection.js';

const DAY_MS = 24 * 3_600_000;

/**
 * How long a next key is published before it signs, at most. Entra tells verifiers to refresh
 * its JWKS daily, so a day lets every such cache learn the key before any token carries its kid.
 * Short rotation periods (tests, demos) use a quarter of the period instead.
 */
const MAX_PRE_PUBLICATION_MS = DAY_MS;
/**
 * Kept on top of token lifetime and clock skew before an old key leaves the JWKS: covers
 * verifiers whose clocks lag ours and tokens minted by a request that picked the old key just as
 * its successor activated.
 */
const RETENTION_MARGIN_MS = 3_600_000; // one hour

export interface RotationPolicy {
  /** How long a key signs before the automatic schedule hands over to the next one. */
  readonly periodMs: number;
  /** How long a key is published before it signs (unless a rotation is immediate). */
  readonly prePublicationMs: number;
  /** How long a key stays published after its successor activates: every token it signed has expired by then. */
  readonly retentionMs: number;
}

export function rotationPolicy(options: { rotationDays: number; tokenLifetimeSeconds: number }): RotationPolicy {
  const periodMs = options.rotationDays * DAY_MS;
  return {
    periodMs,
    prePublicationMs: Math.min(MAX_PRE_PUBLICATION_MS, periodMs / 4),
    retentionMs: (options.tokenLifetimeSeconds + ACCESS_TOKEN_CLOCK_SKEW_SECONDS) * 1000 + RETENTION_MARGIN_MS,
  };
}

export interface Retirement {
  readonly kid: string;
  readonly retiresAt: Date;
}

/**
 * What else changes when a new key activates at `activatesAt` (≥ now): every published key that
 * activates no later stops signing then and leaves `retentionMs` later (an earlier retirement
 * already set is kept); a scheduled key that would activate after it never signed, so it is
 * withdrawn at once — otherwise it would take over from the new key later.
 */
export function retirementsFor(keys: readonly SigningKeyRecord[], activatesAt: Date, now: Date, policy: RotationPolicy): Retirement[] {
  const leaveAt = new Date(activatesAt.getTime() + policy.retentionMs);
  const out: Retirement[] = [];
  for (const key of keys) {
    if (!isKeyPublished(key, now)) continue;
    if (Date.parse(key.activatesAt) > activatesAt.getTime()) out.push({ kid: key.kid, retiresAt: now });
    else if (key.retiresAt === null || Date.parse(key.retiresAt) > leaveAt.getTime()) out.push({ kid: key.kid, retiresAt: leaveAt });
  }
  return out;
}

/**
 * When the automatic schedule should create the next key: `prePublicationMs` before the newest
 * key has signed for a whole period. A key without a certificate (made before certificates) is
 * due at once, so an upgraded instance moves to Entra-shaped keys after one pre-publication.
 */
export function rotationDueAt(keys: readonly SigningKeyRecord[], now: Date, policy: RotationPolicy): Date {
  const newest = newestKey(keys, now);
  if (!newest || newest.certificate === null) return now;
  return new Date(Date.parse(newest.activatesAt) + policy.periodMs - policy.prePublicationMs);
}

/** Activation time of a key created by the automatic schedule: when the newest has signed a period, and never before a full pre-publication. */
export function scheduledActivation(keys: readonly SigningKeyRecord[], now: Date, policy: RotationPolicy): Date {
  const earliest = now.getTime() + policy.prePublicationMs;
  const newest = newestKey(keys, now);
  if (!newest || newest.certificate === null) return new Date(earliest);
  return new Date(Math.max(earliest, Date.parse(newest.activatesAt) + policy.periodMs));
}
